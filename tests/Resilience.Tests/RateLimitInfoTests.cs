using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary><see cref="RateLimiterState.GetLimitInfo"/> on a local limit, and <see cref="RateLimitRejectedException.Info"/>.</summary>
// The fake clock starts at 2000-01-01T00:00:00Z, which is a boundary of every window used here.
public sealed class RateLimitInfoTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public RateLimitInfoTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void A_fresh_limit_is_whole(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm);

        RateLimitInfo info = limiter.GetLimitInfo();

        Assert.Equal(new RateLimitInfo(4, 4, _clock.GetUtcNow(), TimeSpan.Zero), info);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void Remaining_counts_down_with_each_permit(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm);

        for (int taken = 1; taken <= 4; taken++)
        {
            Assert.True(limiter.TryAcquire());
            Assert.Equal(4 - taken, limiter.GetLimitInfo().Remaining);
        }
    }

    [Fact]
    public void A_fixed_window_resets_at_its_end_and_a_rejection_says_so()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.FixedWindow);
        _clock.Advance(TimeSpan.FromMilliseconds(250));
        for (int i = 0; i < 4; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        RateLimitRejectedException rejection = limiter.CreateRejection();

        DateTimeOffset windowEnd = _clock.GetUtcNow() + TimeSpan.FromMilliseconds(750);
        Assert.Equal(new RateLimitInfo(4, 0, windowEnd, TimeSpan.FromMilliseconds(750)), rejection.Info);
        Assert.Equal(TimeSpan.FromMilliseconds(750), rejection.RetryAfter);
        Assert.Equal(4, rejection.PermitLimit);
    }

    [Fact]
    public void A_token_bucket_frees_one_permit_per_interval_and_is_full_when_its_arrival_time_has_passed()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.TokenBucket);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        // One permit per 250 ms; four taken at once are all back after a second.
        Assert.Equal(new RateLimitInfo(4, 0, _clock.GetUtcNow() + TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250)), limiter.GetLimitInfo());
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, limiter.GetLimitInfo().Remaining);
    }

    [Fact]
    public void A_sliding_window_is_whole_again_when_its_newest_permit_leaves_the_window()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.SlidingWindow);
        Assert.True(limiter.TryAcquire());
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(limiter.TryAcquire());

        RateLimitInfo info = limiter.GetLimitInfo();

        // Ten segments of 100 ms: the second permit leaves with its segment, 1 000 ms after that segment began.
        Assert.Equal(2, info.Remaining);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMilliseconds(1_000), info.ResetAt);
        Assert.Equal(TimeSpan.Zero, info.RetryAfter);
    }

    [Fact]
    public void A_keyed_limit_reports_each_key_and_a_key_it_has_not_seen_as_whole()
    {
        KeyedRateLimiterState<string> limiter = _registry.GetOrAddKeyedRateLimiter<string>("per-user", new RateLimitOptions { Permits = 2, WindowMs = 1_000 });
        Assert.True(limiter.GetPartition("alice").TryAcquire());

        Assert.Equal(1, limiter.GetLimitInfo("alice").Remaining);
        Assert.Equal(2, limiter.GetLimitInfo("bob").Remaining);
        Assert.Equal(1, limiter.PartitionCount);
    }

    [Fact]
    public void Out_of_range_values_are_refused_with_the_rule_they_break()
    {
        DateTimeOffset now = _clock.GetUtcNow();

        Assert.Contains("at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitInfo(0, 0, now, TimeSpan.Zero)).Message);
        Assert.Contains("between 0 and the limit, 3", Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitInfo(3, 4, now, TimeSpan.Zero)).Message);
        Assert.Contains("cannot be negative", Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitInfo(3, 0, now, TimeSpan.FromTicks(-1))).Message);
    }

    private RateLimiterState Create(RateLimitAlgorithm algorithm)
        => _registry.GetOrAddRateLimiter("limit", new RateLimitOptions { Permits = 4, WindowMs = 1_000, Algorithm = algorithm });
}

/// <summary>A clock that starts at zero, as the system's uptime does just after boot.</summary>
public sealed class RateLimitOnAYoungClockTests
{
    [Fact]
    public void A_sliding_window_longer_than_the_clocks_age_reports_its_retry_after_without_failing()
    {
        var clock = new YoungClock();
        var registry = new ResilienceRegistry { TimeProvider = clock };
        clock.Now = TimeSpan.FromHours(3);
        RateLimiterState limiter = registry.GetOrAddRateLimiter("day", new RateLimitOptions { Permits = 1_025, WindowMs = 86_400_000, Algorithm = RateLimitAlgorithm.SlidingWindow });

        for (int i = 0; i < 1_025; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        Assert.False(limiter.TryAcquire());

        // Above the exact limit, ten segments of 2.4 h: the permits, taken at 3 h in the segment that starts at 2.4 h,
        // leave the window when that segment does, at 26.4 h.
        RateLimitInfo info = limiter.GetLimitInfo();
        Assert.Equal(0, info.Remaining);
        Assert.Equal(TimeSpan.FromHours(23.4), info.RetryAfter);
        Assert.Equal(info.RetryAfter, limiter.CreateRejection().RetryAfter);

        // An exact window on the same clock: its permit comes back a whole window after it was taken.
        RateLimiterState exact = registry.GetOrAddRateLimiter("day-exact", new RateLimitOptions { Permits = 1, WindowMs = 86_400_000, Algorithm = RateLimitAlgorithm.SlidingWindow });
        Assert.True(exact.TryAcquire());
        Assert.False(exact.TryAcquire());
        Assert.Equal(TimeSpan.FromHours(24), exact.GetLimitInfo().RetryAfter);
    }

    private sealed class YoungClock : TimeProvider
    {
        public TimeSpan Now { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Now.Ticks;
    }
}
