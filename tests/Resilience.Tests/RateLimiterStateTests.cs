using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

// The fake clock starts at 2000-01-01T00:00:00Z, which is a boundary of every window used here.
public sealed class RateLimiterStateTests
{
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public RateLimiterStateTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void Exactly_Permits_calls_pass_in_a_window_and_the_next_is_rejected(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, permits: 5, windowMs: 1_000);

        for (int i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire(), $"call {i + 1}");
        }

        Assert.False(limiter.TryAcquire());
        Assert.Equal(0, limiter.RejectionCount); // TryAcquire does not count rejections
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task AcquireAsync_rejects_at_once_and_counts_the_rejection(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, permits: 2, windowMs: 1_000);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        ValueTask<bool> rejected = limiter.AcquireAsync(CancellationToken.None);

        Assert.False(rejected.ResultNow());
        Assert.Equal(1, limiter.RejectionCount);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void Acquire_takes_free_permits_and_rejects_without_a_queue(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, permits: 1, windowMs: 1_000);

        Assert.True(limiter.Acquire(CancellationToken.None));
        Assert.False(limiter.Acquire(CancellationToken.None));
        Assert.Equal(1, limiter.RejectionCount);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void RetryAfter_is_zero_while_a_permit_is_free(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, permits: 2, windowMs: 1_000);
        Assert.True(limiter.TryAcquire());

        Assert.Equal(TimeSpan.Zero, limiter.RetryAfter);
    }

    // ---- token bucket -----------------------------------------------------------------------------

    [Fact]
    public void Token_bucket_retry_after_is_one_emission_interval()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.TokenBucket, permits: 5, windowMs: 1_000, name: "search-api");
        UseAll(limiter, 5);

        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.RetryAfter);
        RateLimitRejectedException rejection = limiter.CreateRejection();
        Assert.Equal(TimeSpan.FromMilliseconds(200), rejection.RetryAfter);
        Assert.Equal("search-api", rejection.PolicyName);
        Assert.Contains("'search-api'", rejection.Message, StringComparison.Ordinal);
        Assert.Contains("200 ms", rejection.Message, StringComparison.Ordinal);
        Assert.Equal(5, rejection.PermitLimit);
    }

    [Fact]
    public void A_rejection_carries_the_permit_limit_in_force_after_Configure()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.FixedWindow, permits: 5, windowMs: 1_000, name: "configured-limit");

        _registry.Configure(new Dictionary<string, PolicySettings> { ["configured-limit"] = new PolicySettings { Permits = 12 } });

        Assert.Equal(12, limiter.CreateRejection().PermitLimit);
    }

    [Fact]
    public void Token_bucket_gives_back_one_permit_per_emission_interval()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.TokenBucket, permits: 5, windowMs: 1_000);
        UseAll(limiter, 5);

        _clock.Advance(TimeSpan.FromMilliseconds(200) - OneTick);
        Assert.False(limiter.TryAcquire());
        Assert.Equal(OneTick, limiter.RetryAfter);

        _clock.Advance(OneTick);
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.RetryAfter);
    }

    [Fact]
    public void Token_bucket_refills_the_whole_burst_after_a_window()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.TokenBucket, permits: 5, windowMs: 1_000);
        UseAll(limiter, 5);

        _clock.Advance(TimeSpan.FromSeconds(10));

        UseAll(limiter, 5);
    }

    // ---- fixed window -----------------------------------------------------------------------------

    [Fact]
    public void Fixed_window_retry_after_is_the_time_to_the_next_window()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.FixedWindow, permits: 5, windowMs: 1_000);
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        UseAll(limiter, 5);

        Assert.Equal(TimeSpan.FromMilliseconds(700), limiter.RetryAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(700), limiter.CreateRejection().RetryAfter);
    }

    [Fact]
    public void Fixed_window_gives_back_every_permit_when_the_next_window_starts()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.FixedWindow, permits: 5, windowMs: 1_000);
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        UseAll(limiter, 5);

        _clock.Advance(TimeSpan.FromMilliseconds(700) - OneTick);
        Assert.False(limiter.TryAcquire());

        _clock.Advance(OneTick);
        UseAll(limiter, 5);
    }

    [Fact]
    public void Fixed_window_allows_a_double_burst_across_the_boundary()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.FixedWindow, permits: 5, windowMs: 1_000);
        _clock.Advance(TimeSpan.FromMilliseconds(900));
        UseAll(limiter, 5);

        _clock.Advance(TimeSpan.FromMilliseconds(100));

        UseAll(limiter, 5); // ten calls within 100 ms
    }

    // ---- sliding window ---------------------------------------------------------------------------

    [Fact]
    public void Sliding_window_does_not_allow_a_double_burst_across_the_boundary()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.SlidingWindow, permits: 5, windowMs: 1_000);
        _clock.Advance(TimeSpan.FromMilliseconds(900));
        UseAll(limiter, 5);

        _clock.Advance(TimeSpan.FromMilliseconds(100));

        Assert.False(limiter.TryAcquire());
        Assert.Equal(TimeSpan.FromMilliseconds(900), limiter.RetryAfter);
    }

    [Fact]
    public void Sliding_window_retry_after_is_the_time_until_the_oldest_call_leaves_the_window()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.SlidingWindow, permits: 5, windowMs: 1_000);
        UseAll(limiter, 2, exhaust: false);                 // at 0 ms
        _clock.Advance(TimeSpan.FromMilliseconds(350));
        UseAll(limiter, 3);                                 // at 350 ms

        Assert.Equal(TimeSpan.FromMilliseconds(650), limiter.RetryAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(650), limiter.CreateRejection().RetryAfter);
    }

    [Fact]
    public void Sliding_window_gives_back_each_permit_exactly_a_window_after_it_was_taken()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.SlidingWindow, permits: 5, windowMs: 1_000);
        UseAll(limiter, 2, exhaust: false);
        _clock.Advance(TimeSpan.FromMilliseconds(350));
        UseAll(limiter, 3);

        _clock.Advance(TimeSpan.FromMilliseconds(650) - OneTick);
        Assert.False(limiter.TryAcquire());

        _clock.Advance(OneTick);                            // t = 1 000 ms: the two taken at 0 are a window old
        UseAll(limiter, 2);
        Assert.Equal(TimeSpan.FromMilliseconds(350), limiter.RetryAfter);

        _clock.Advance(TimeSpan.FromMilliseconds(350) - OneTick);
        Assert.False(limiter.TryAcquire());
        _clock.Advance(OneTick);                            // t = 1 350 ms: the three taken at 350 ms are
        UseAll(limiter, 3);
    }

    [Fact]
    public void Sliding_window_never_admits_more_than_its_permits_in_any_window()
    {
        // Calls every 7 ms for 3 s against 5 per 100 ms: whatever the window's start, it holds at most 5 admissions.
        RateLimiterState limiter = Create(RateLimitAlgorithm.SlidingWindow, permits: 5, windowMs: 100);
        var admitted = new List<TimeSpan>();
        for (TimeSpan t = TimeSpan.Zero; t < TimeSpan.FromSeconds(3); t += TimeSpan.FromMilliseconds(7))
        {
            if (limiter.TryAcquire())
            {
                admitted.Add(t);
            }

            _clock.Advance(TimeSpan.FromMilliseconds(7));
        }

        for (int i = 5; i < admitted.Count; i++)
        {
            Assert.True(admitted[i] - admitted[i - 5] >= TimeSpan.FromMilliseconds(100), $"Six admissions within {admitted[i] - admitted[i - 5]}.");
        }

        Assert.True(admitted.Count >= 140, $"Only {admitted.Count} admitted: the window gives permits back too late.");
    }

    [Fact]
    public void A_sliding_window_above_the_exact_limit_gives_back_each_permit_a_window_after_its_call_never_early()
    {
        // Above 1 024 permits, calls are kept by their time rounded up to a 1,024th of the window: 1 ms here.
        RateLimiterState limiter = Create(RateLimitAlgorithm.SlidingWindow, permits: 2_500, windowMs: 1_024);
        UseAll(limiter, 1_000, exhaust: false);             // at 0 ms
        _clock.Advance(TimeSpan.FromMilliseconds(350.5));
        UseAll(limiter, 1_500);                             // at 350.5 ms, kept as 351 ms

        _clock.Advance(TimeSpan.FromMilliseconds(1_024 - 350.5) - OneTick);
        Assert.False(limiter.TryAcquire());

        _clock.Advance(OneTick);                            // t = 1 024 ms: the calls at 0 are a window old
        UseAll(limiter, 1_000);
        Assert.Equal(TimeSpan.FromMilliseconds(351), limiter.RetryAfter);

        _clock.Advance(TimeSpan.FromMilliseconds(350.5));   // t = 1 374.5 ms: a window after the calls at 350.5 ms,
        Assert.False(limiter.TryAcquire());                 // which come back half a millisecond later, never earlier
        _clock.Advance(TimeSpan.FromMilliseconds(0.5));
        UseAll(limiter, 1_500);
    }

    // ---- queue ------------------------------------------------------------------------------------

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task A_queued_call_waits_and_succeeds_once_a_permit_is_free(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, permits: 1, windowMs: 1_000, queueLimit: 1);
        Assert.True(limiter.TryAcquire());

        Task<bool> waiting = limiter.AcquireAsync(CancellationToken.None).AsTask();
        Assert.Equal(1, limiter.QueuedCount);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(waiting.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await waiting.Guarded());
        Assert.Equal(0, limiter.QueuedCount);
        Assert.False(limiter.TryAcquire()); // the waiter took the permit
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task A_call_beyond_the_queue_limit_is_rejected(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, permits: 1, windowMs: 1_000, queueLimit: 2);
        Assert.True(limiter.TryAcquire());
        Task<bool> first = limiter.AcquireAsync(CancellationToken.None).AsTask();
        Task<bool> second = limiter.AcquireAsync(CancellationToken.None).AsTask();

        ValueTask<bool> third = limiter.AcquireAsync(CancellationToken.None);

        Assert.False(third.ResultNow());
        Assert.Equal(1, limiter.RejectionCount);
        Assert.Equal(2, limiter.QueuedCount);

        // One permit a window: move the clock on until both queued calls got theirs.
        TestSupport.SpinUntil(
            () =>
            {
                _clock.Advance(TimeSpan.FromMilliseconds(100));
                return first.IsCompleted && second.IsCompleted;
            },
            "both queued calls complete");
        Assert.True(await first.Guarded());
        Assert.True(await second.Guarded());
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task A_cancelled_waiter_throws_and_leaves_the_queue(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, permits: 1, windowMs: 1_000, queueLimit: 1);
        Assert.True(limiter.TryAcquire());
        using var cancellation = new CancellationTokenSource();
        Task<bool> waiting = limiter.AcquireAsync(cancellation.Token).AsTask();

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Guarded());
        Assert.Equal(0, limiter.QueuedCount);
        Assert.Equal(0, limiter.RejectionCount);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire()); // the cancelled waiter took no permit
    }

    // ---- real concurrency -------------------------------------------------------------------------

    [Theory]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void Threads_hammering_a_frozen_clock_never_get_more_than_Permits(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, permits: 100, windowMs: 1_000);
        int successes = 0;

        TestSupport.RunOnThreads(8, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                if (limiter.TryAcquire())
                {
                    Interlocked.Increment(ref successes);
                }
            }
        });

        Assert.Equal(100, successes);
    }

    // ---- settings ---------------------------------------------------------------------------------

    [Theory]
    [InlineData(0, 1_000, RateLimitAlgorithm.TokenBucket, 0, "RateLimitOptions.Permits is 0; it must be at least 1.")]
    [InlineData(1, 0, RateLimitAlgorithm.TokenBucket, 0, "RateLimitOptions.WindowMs is 0; it must be at least 1.")]
    [InlineData(1, 1_000, (RateLimitAlgorithm)7, 0, "RateLimitOptions.Algorithm is 7; it must be a RateLimitAlgorithm (TokenBucket, FixedWindow or SlidingWindow).")]
    [InlineData(1, 1_000, RateLimitAlgorithm.TokenBucket, -1, "RateLimitOptions.QueueLimit is -1; it must be at least 0.")]
    public void An_option_out_of_range_throws_naming_the_property(int permits, int windowMs, RateLimitAlgorithm algorithm, int queueLimit, string expectedMessage)
    {
        var options = new RateLimitOptions { Permits = permits, WindowMs = windowMs, Algorithm = algorithm, QueueLimit = queueLimit };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _registry.GetOrAddRateLimiter("test", options));

        Assert.StartsWith(expectedMessage, error.Message, StringComparison.Ordinal);
    }

    private RateLimiterState Create(RateLimitAlgorithm algorithm, int permits, int windowMs, int queueLimit = 0, string name = "test")
        => _registry.GetOrAddRateLimiter(name, new RateLimitOptions { Algorithm = algorithm, Permits = permits, WindowMs = windowMs, QueueLimit = queueLimit });

    /// <summary>Takes <paramref name="count"/> permits, all of which must succeed, and (by default) checks that the next one fails.</summary>
    private static void UseAll(RateLimiterState limiter, int count, bool exhaust = true)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.True(limiter.TryAcquire(), $"permit {i + 1} of {count}");
        }

        if (exhaust)
        {
            Assert.False(limiter.TryAcquire(), $"a permit beyond the {count} expected");
        }
    }
}
