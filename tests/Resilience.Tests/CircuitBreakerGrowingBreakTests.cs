using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>A break that doubles on each failed probe, up to MaxBreakDurationMs, and starts again after a close.</summary>
public sealed class CircuitBreakerGrowingBreakTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public CircuitBreakerGrowingBreakTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void Each_failed_probe_doubles_the_break_up_to_the_maximum()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, MaxBreakDurationMs = 3_000 });

        Fail(breaker);
        Assert.Equal(TimeSpan.FromSeconds(1), RetryAfter(breaker));

        Assert.Equal(new[] { 2_000, 3_000, 3_000 }, new[] { FailProbe(breaker), FailProbe(breaker), FailProbe(breaker) });
    }

    [Fact]
    public void The_grown_break_holds_the_breaker_open_for_all_of_its_length()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, MaxBreakDurationMs = 10_000 });
        Fail(breaker);
        FailProbe(breaker);

        _clock.Advance(TimeSpan.FromMilliseconds(1_999));
        Assert.False(breaker.TryEnter(out _));

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        breaker.RecordIgnored(probe);
    }

    [Fact]
    public void The_break_returns_to_its_duration_once_the_breaker_closed()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, MaxBreakDurationMs = 60_000 });
        Fail(breaker);
        FailProbe(breaker);
        FailProbe(breaker);
        Assert.Equal(TimeSpan.FromSeconds(4), RetryAfter(breaker));

        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        breaker.RecordSuccess(probe);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Fail(breaker);
        Assert.Equal(TimeSpan.FromSeconds(1), RetryAfter(breaker));
        Assert.Equal(2_000, FailProbe(breaker));
    }

    [Fact]
    public void A_reset_also_returns_the_break_to_its_duration()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, MaxBreakDurationMs = 60_000 });
        Fail(breaker);
        FailProbe(breaker);

        breaker.Reset();
        Fail(breaker);

        Assert.Equal(TimeSpan.FromSeconds(1), RetryAfter(breaker));
    }

    [Fact]
    public void Without_a_maximum_every_break_lasts_the_break_duration()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        Fail(breaker);

        Assert.Equal(new[] { 1_000, 1_000 }, new[] { FailProbe(breaker), FailProbe(breaker) });
    }

    [Fact]
    public void The_opened_event_reports_the_grown_break()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, MaxBreakDurationMs = 60_000 });
        var breaks = new List<TimeSpan?>();
        breaker.StateChanged += (_, e) =>
        {
            if (e.State == CircuitState.Open)
            {
                breaks.Add(e.BreakDuration);
            }
        };

        Fail(breaker);
        FailProbe(breaker);
        FailProbe(breaker);

        Assert.Equal(new TimeSpan?[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) }, breaks);
    }

    [Fact]
    public void A_retry_after_longer_than_the_grown_break_still_holds_the_breaker_open()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, MaxBreakDurationMs = 4_000, HonorRetryAfter = true });
        Fail(breaker);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        using var response = new System.Net.Http.HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(10));

        breaker.RecordFailure(probe, response);

        Assert.Equal(TimeSpan.FromSeconds(10), RetryAfter(breaker));
    }

    [Fact]
    public void A_maximum_below_the_break_duration_in_the_same_settings_is_refused_with_the_fix()
    {
        var settings = new PolicySettings { BreakDurationMs = 30_000, MaxBreakDurationMs = 10_000 };

        string problem = Assert.Single(settings.GetProblems("payments"));

        Assert.Equal("payments:MaxBreakDurationMs is 10 000; it must be 0 (a break that does not grow) or at least payments:BreakDurationMs (30 000); raise it, or lower BreakDurationMs.", problem);
    }

    [Fact]
    public void A_maximum_below_a_break_raised_by_configuration_keeps_every_break_at_the_break_duration()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, MaxBreakDurationMs = 2_000 });
        _registry.Configure(new Dictionary<string, PolicySettings> { ["growing"] = new() { BreakDurationMs = 5_000 } });

        Fail(breaker);

        Assert.Equal(new[] { 5_000, 5_000 }, new[] { FailProbe(breaker), FailProbe(breaker) });
    }

    [Fact]
    public void A_negative_maximum_is_refused_with_its_range()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Create(new CircuitBreakerOptions { MaxBreakDurationMs = -1 }));

        Assert.StartsWith("CircuitBreakerOptions.MaxBreakDurationMs is -1; it must be at least 0.", error.Message, StringComparison.Ordinal);
    }

    private CircuitBreakerState Create(CircuitBreakerOptions options) => _registry.GetOrAddCircuitBreaker("growing", options);

    private static TimeSpan? RetryAfter(CircuitBreakerState breaker) => breaker.CreateRejection().RetryAfter;

    private static void Fail(CircuitBreakerState breaker)
    {
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    /// <summary>Waits out the break, lets a probe fail, and returns the next break in milliseconds.</summary>
    private int FailProbe(CircuitBreakerState breaker)
    {
        _clock.Advance(RetryAfter(breaker) ?? TimeSpan.Zero);
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        breaker.RecordFailure(probe);
        Assert.Equal(CircuitState.Open, breaker.State);
        return (int)(RetryAfter(breaker) ?? TimeSpan.Zero).TotalMilliseconds;
    }
}
