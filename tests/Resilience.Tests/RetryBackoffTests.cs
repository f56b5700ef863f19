namespace Resilience.Tests;

public sealed class RetryBackoffTests
{
    [Fact]
    public void Constant_backoff_waits_the_base_delay_before_every_retry()
        => Assert.Equal([100, 100, 100, 100, 100], DelaysInMs(BackoffKind.Constant, delayMs: 100, maxDelayMs: 30_000, retries: 5));

    [Fact]
    public void Linear_backoff_grows_by_the_base_delay()
        => Assert.Equal([100, 200, 300, 400, 500], DelaysInMs(BackoffKind.Linear, delayMs: 100, maxDelayMs: 30_000, retries: 5));

    [Fact]
    public void Exponential_backoff_doubles_from_the_base_delay()
        => Assert.Equal([100, 200, 400, 800, 1_600], DelaysInMs(BackoffKind.Exponential, delayMs: 100, maxDelayMs: 30_000, retries: 5));

    [Fact]
    public void Exponential_backoff_is_capped_at_the_maximum_delay()
        => Assert.Equal([100, 200, 400, 500, 500], DelaysInMs(BackoffKind.Exponential, delayMs: 100, maxDelayMs: 500, retries: 5));

    [Fact]
    public void Linear_backoff_is_capped_at_the_maximum_delay()
        => Assert.Equal([100, 200, 250, 250], DelaysInMs(BackoffKind.Linear, delayMs: 100, maxDelayMs: 250, retries: 4));

    [Fact]
    public void A_zero_delay_waits_nothing()
        => Assert.Equal(TimeSpan.Zero, RetryBackoff.GetDelay(BackoffKind.Exponential, retry: 10, delayMs: 0, maxDelayMs: 0, jitter: false));

    [Theory]
    [InlineData(BackoffKind.Constant)]
    [InlineData(BackoffKind.Linear)]
    [InlineData(BackoffKind.Exponential)]
    public void A_very_late_retry_does_not_overflow_and_waits_the_maximum(BackoffKind kind)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(30_000), RetryBackoff.GetDelay(kind, retry: 100, delayMs: 30_000, maxDelayMs: 30_000, jitter: false));
        Assert.Equal(TimeSpan.FromMilliseconds(int.MaxValue), RetryBackoff.GetDelay(kind, retry: int.MaxValue, delayMs: int.MaxValue, maxDelayMs: int.MaxValue, jitter: false));
    }

    [Fact]
    public void Exponential_retry_100_waits_the_maximum()
        => Assert.Equal(TimeSpan.FromSeconds(30), RetryBackoff.GetDelay(BackoffKind.Exponential, retry: 100, delayMs: 200, maxDelayMs: 30_000, jitter: false));

    [Theory]
    [InlineData(BackoffKind.Constant, 3, 400)]
    [InlineData(BackoffKind.Linear, 3, 1_200)]
    [InlineData(BackoffKind.Exponential, 3, 1_600)]
    [InlineData(BackoffKind.Exponential, 40, 5_000)]
    public void Jitter_draws_every_delay_from_half_to_all_of_the_base_delay(BackoffKind kind, int retry, int expectedBaseMs)
    {
        TimeSpan upper = TimeSpan.FromMilliseconds(expectedBaseMs);
        TimeSpan lower = upper / 2;
        var seen = new HashSet<TimeSpan>();

        for (int i = 0; i < 10_000; i++)
        {
            TimeSpan delay = RetryBackoff.GetDelay(kind, retry, delayMs: 400, maxDelayMs: 5_000, jitter: true);
            Assert.InRange(delay, lower, upper);
            seen.Add(delay);
        }

        Assert.True(seen.Count > 1_000, $"Only {seen.Count} distinct delays in 10 000 draws.");
    }

    [Fact]
    public void Jitter_spreads_over_the_whole_range()
    {
        var delays = new List<double>();
        for (int i = 0; i < 10_000; i++)
        {
            delays.Add(RetryBackoff.GetDelay(BackoffKind.Constant, 1, delayMs: 1_000, maxDelayMs: 1_000, jitter: true).TotalMilliseconds);
        }

        // Uniform over [500, 1000]: with 10 000 draws the extremes come within 1% of the ends and the mean near 750.
        Assert.InRange(delays.Min(), 500, 505);
        Assert.InRange(delays.Max(), 995, 1_000);
        Assert.InRange(delays.Average(), 740, 760);
    }

    [Fact]
    public void The_shortest_delay_is_the_floor_jitter_draws_from_and_the_base_delay_itself_without_jitter()
    {
        Assert.Equal(500, BackoffFormula.ShortestMilliseconds(1_000, jitter: true));
        Assert.Equal(1_000, BackoffFormula.ShortestMilliseconds(1_000, jitter: false));

        // The runtime never waits less than that shortest delay.
        double shortest = BackoffFormula.ShortestMilliseconds(BackoffFormula.BaseDelayMilliseconds(BackoffKind.Linear, 2, 300, 5_000), jitter: true);
        for (int i = 0; i < 1_000; i++)
        {
            Assert.True(RetryBackoff.GetDelay(BackoffKind.Linear, 2, 300, 5_000, jitter: true).TotalMilliseconds >= shortest);
        }
    }

    [Fact]
    public void A_retry_number_below_one_is_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RetryBackoff.GetDelay(BackoffKind.Constant, retry: 0, delayMs: 100, maxDelayMs: 1_000, jitter: false));

        Assert.Equal("retry", error.ParamName);
        Assert.StartsWith("retry is 0; it must be at least 1.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_delay_is_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RetryBackoff.GetDelay(BackoffKind.Constant, retry: 1, delayMs: -1, maxDelayMs: 1_000, jitter: false));

        Assert.Equal("delayMs", error.ParamName);
        Assert.StartsWith("delayMs is -1; it must be at least 0.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_maximum_below_the_delay_is_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RetryBackoff.GetDelay(BackoffKind.Constant, retry: 1, delayMs: 100, maxDelayMs: 50, jitter: false));

        Assert.Equal("maxDelayMs", error.ParamName);
        Assert.StartsWith("maxDelayMs is 50; it must be at least delayMs (100).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_backoff_kind_is_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RetryBackoff.GetDelay((BackoffKind)42, retry: 1, delayMs: 100, maxDelayMs: 1_000, jitter: false));

        Assert.Equal("kind", error.ParamName);
    }

    private static int[] DelaysInMs(BackoffKind kind, int delayMs, int maxDelayMs, int retries)
    {
        var delays = new int[retries];
        for (int retry = 1; retry <= retries; retry++)
        {
            TimeSpan delay = RetryBackoff.GetDelay(kind, retry, delayMs, maxDelayMs, jitter: false);
            Assert.Equal(0, delay.Ticks % TimeSpan.TicksPerMillisecond);
            delays[retry - 1] = (int)delay.TotalMilliseconds;
        }

        return delays;
    }

    [Fact]
    public void Without_overrides_the_compiled_in_settings_give_the_delay()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(400), RetryBackoff.GetDelay(overrides: null, BackoffKind.Exponential, 2, 200, 30_000, jitter: false));
    }

    [Fact]
    public void Overrides_replace_the_compiled_in_settings_they_give()
    {
        var registry = new ResilienceRegistry();
        registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = new() { DelayMs = 50, Backoff = BackoffKind.Linear, Jitter = false } });
        PolicyOverrides overrides = registry.GetLivePolicySettings("payments").Overrides!;

        // Linear from configuration, 50 ms from configuration, the cap compiled in.
        Assert.Equal(TimeSpan.FromMilliseconds(150), RetryBackoff.GetDelay(overrides, BackoffKind.Exponential, 3, 200, 30_000, jitter: true));
        Assert.Equal(TimeSpan.FromMilliseconds(5), RetryBackoff.GetDelay(overrides, BackoffKind.Exponential, 3, 200, 30_000, jitter: true, TimeSpan.FromMilliseconds(5)));
    }

    [Fact]
    public void A_configured_delay_above_the_compiled_in_cap_waits_the_cap()
    {
        var registry = new ResilienceRegistry();
        registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = new() { DelayMs = 60_000 } });
        PolicyOverrides overrides = registry.GetLivePolicySettings("payments").Overrides!;

        Assert.Equal(TimeSpan.FromMilliseconds(30_000), RetryBackoff.GetDelay(overrides, BackoffKind.Constant, 1, 200, 30_000, jitter: false));
    }

    [Fact]
    public void A_configured_cap_below_the_compiled_in_one_caps_the_computed_and_the_asked_delays()
    {
        var registry = new ResilienceRegistry();
        registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = new() { MaxDelayMs = 1_000 } });
        PolicyOverrides overrides = registry.GetLivePolicySettings("payments").Overrides!;

        // 200 ms doubled four times is 3.2 s: the configured cap, not the compiled-in 30 s, holds it.
        Assert.Equal(TimeSpan.FromSeconds(1), RetryBackoff.GetDelay(overrides, BackoffKind.Exponential, 5, 200, 30_000, jitter: false));
        Assert.Equal(TimeSpan.FromSeconds(1), RetryBackoff.GetDelay(overrides, BackoffKind.Exponential, 1, 200, 30_000, jitter: false, TimeSpan.FromSeconds(20)));
    }
}
