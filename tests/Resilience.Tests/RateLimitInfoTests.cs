using System.Globalization;
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

        // The second permit leaves the window a whole window after it was taken.
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

    [Fact]
    public void Two_infos_are_equal_only_when_every_value_is()
    {
        DateTimeOffset now = _clock.GetUtcNow();
        var info = new RateLimitInfo(10, 3, now, TimeSpan.FromMilliseconds(250));
        var same = new RateLimitInfo(10, 3, now, TimeSpan.FromMilliseconds(250));
        RateLimitInfo[] differingInOneValue =
        [
            new(20, 3, now, TimeSpan.FromMilliseconds(250)),
            new(10, 4, now, TimeSpan.FromMilliseconds(250)),
            new(10, 3, now.AddSeconds(1), TimeSpan.FromMilliseconds(250)),
            new(10, 3, now, TimeSpan.FromMilliseconds(251)),
        ];

        Assert.True(info == same);
        Assert.False(info != same);
        Assert.True(info.Equals((object)same));
        Assert.Equal(info.GetHashCode(), same.GetHashCode());
        foreach (RateLimitInfo other in differingInOneValue)
        {
            Assert.False(info.Equals(other), $"{info} equals {other}");
            Assert.False(info == other);
            Assert.True(info != other);
        }
    }

    [Fact]
    public void Infos_that_differ_in_one_value_hash_apart()
    {
        DateTimeOffset now = _clock.GetUtcNow();
        var infos = new List<RateLimitInfo>();
        for (int limit = 1; limit <= 8; limit++)
        {
            for (int remaining = 0; remaining <= limit; remaining++)
            {
                infos.Add(new RateLimitInfo(limit, remaining, now, TimeSpan.Zero));
            }
        }

        for (int step = 1; step <= 8; step++)
        {
            infos.Add(new RateLimitInfo(8, 8, now.AddMilliseconds(step), TimeSpan.Zero));
            infos.Add(new RateLimitInfo(8, 8, now, TimeSpan.FromMilliseconds(step)));
        }

        // So that a set or dictionary of them does not pile them into one bucket.
        Assert.Equal(infos.Count, infos.Select(i => i.GetHashCode()).Distinct().Count());
    }

    [Fact]
    public void An_info_reads_as_its_remaining_calls_its_reset_and_its_wait()
    {
        var info = new RateLimitInfo(10, 3, new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero), TimeSpan.FromMilliseconds(250));

        Assert.Equal("3 of 10 remaining, reset at 2026-11-29T12:00:00.0000000+00:00, retry after 250 ms", info.ToString());
    }

    [Fact]
    public void An_info_reads_the_same_in_every_culture()
    {
        var info = new RateLimitInfo(12_000, 1_500, new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero), TimeSpan.FromMilliseconds(1.25));
        CultureInfo previous = CultureInfo.CurrentCulture;
        try
        {
            // A comma for the decimal point and a dot between thousands; Arabic digits where the culture has them.
            foreach (string culture in new[] { "de-DE", "ar-SA", "fr-FR" })
            {
                CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
                Assert.Equal("1500 of 12000 remaining, reset at 2026-11-29T12:00:00.0000000+00:00, retry after 1.25 ms", info.ToString());
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
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

        // Above the exact limit, calls are kept by slices of a 1,024th of the day (84.375 s); 3 h is on a slice's edge,
        // so the permits come back a whole window after they were taken.
        RateLimitInfo info = limiter.GetLimitInfo();
        Assert.Equal(0, info.Remaining);
        Assert.Equal(TimeSpan.FromHours(24), info.RetryAfter);
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
