using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>The slow-call rule (SlowCallDurationMs, SlowCallRatio), over either counting mode and for probes.</summary>
public sealed class CircuitBreakerSlowCallTests
{
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(1_001);
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(10);

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public CircuitBreakerSlowCallTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void Opens_when_every_call_of_the_window_was_slow_though_none_failed()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { SlowCallDurationMs = 1_000, MinimumThroughput = 3 });

        Succeed(breaker, Slow, 2);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Succeed(breaker, Slow, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
        CircuitBreakerMetrics metrics = breaker.GetMetrics();
        Assert.Equal(3, metrics.SlowCalls);
        Assert.Equal(3, metrics.Successes);
        Assert.Equal(0, metrics.Failures);
    }

    [Fact]
    public void The_opened_event_of_a_breaker_opened_by_slow_calls_reports_their_share()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { SlowCallDurationMs = 1_000, SlowCallRatio = 0.5, MinimumThroughput = 4 });
        CircuitStateChangedEventArgs? opened = null;
        breaker.StateChanged += (_, e) => opened = e.State == CircuitState.Open ? e : opened;

        Succeed(breaker, Fast, 2);
        Succeed(breaker, Slow, 2);

        Assert.NotNull(opened);
        Assert.Equal(0.5, opened.SlowCallRate);
        Assert.Equal(0, opened.FailureCount);
    }

    [Fact]
    public void The_opened_event_of_a_breaker_that_does_not_judge_slow_calls_reports_no_slow_call_rate()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1 });
        CircuitStateChangedEventArgs? opened = null;
        breaker.StateChanged += (_, e) => opened = e;

        Fail(breaker, Slow, 1);

        Assert.Equal(CircuitState.Open, opened?.State);
        Assert.Equal(0, opened!.SlowCallRate);
    }

    [Fact]
    public void A_call_that_takes_exactly_the_slow_call_duration_is_not_slow()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { SlowCallDurationMs = 1_000, MinimumThroughput = 1 });

        Succeed(breaker, TimeSpan.FromMilliseconds(1_000), 5);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetMetrics().SlowCalls);
    }

    [Fact]
    public void Opens_on_the_share_of_slow_calls_once_the_minimum_throughput_was_seen()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { SlowCallDurationMs = 1_000, SlowCallRatio = 0.5, MinimumThroughput = 4 });

        Succeed(breaker, Slow, 1);
        Succeed(breaker, Fast, 1);
        Succeed(breaker, Slow, 1);       // 2 of 3 slow, but fewer calls than the minimum
        Assert.Equal(CircuitState.Closed, breaker.State);

        Succeed(breaker, Fast, 1);       // 2 of 4: a fast call never opens the breaker
        Assert.Equal(CircuitState.Closed, breaker.State);

        Succeed(breaker, Slow, 1);       // 3 of 5
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Slow_calls_older_than_the_sampling_window_no_longer_count()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { SlowCallDurationMs = 1_000, MinimumThroughput = 2, SamplingDurationMs = 10_000 });

        Succeed(breaker, Slow, 1);
        _clock.Advance(TimeSpan.FromSeconds(11));
        Succeed(breaker, Slow, 1);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Succeed(breaker, Slow, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void In_consecutive_mode_a_run_of_failures_still_opens_the_breaker_however_fast()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 2, SlowCallDurationMs = 1_000, MinimumThroughput = 100 });

        Fail(breaker, Fast, 1);
        Fail(breaker, Fast, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(0, breaker.GetMetrics().SlowCalls);
    }

    [Fact]
    public void A_slow_failure_counts_as_a_failure_and_as_a_slow_call()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 2, SlowCallDurationMs = 1_000, MinimumThroughput = 100 });

        Fail(breaker, Slow, 1);
        Assert.Equal(1, breaker.GetMetrics().ConsecutiveFailures);

        Fail(breaker, Fast, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(1, breaker.GetMetrics().SlowCalls);
    }

    [Fact]
    public void A_slow_success_ends_the_run_of_consecutive_failures()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 2, SlowCallDurationMs = 1_000, MinimumThroughput = 100 });

        Fail(breaker, Fast, 1);
        Succeed(breaker, Slow, 1);
        Fail(breaker, Fast, 1);

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void In_ratio_mode_slow_calls_open_the_breaker_while_the_failure_ratio_is_not_reached()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 4, SlowCallDurationMs = 1_000, SlowCallRatio = 0.75 });

        Fail(breaker, Fast, 1);
        Succeed(breaker, Slow, 2);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Succeed(breaker, Slow, 1);      // 3 slow of 4 calls, 1 failure of 4

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(1, breaker.GetMetrics().RecentFailures);
    }

    [Fact]
    public void A_slow_probe_opens_the_half_open_breaker_again()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 5_000, SlowCallDurationMs = 1_000 });
        Fail(breaker, Fast, 1);
        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        _clock.Advance(Slow);
        breaker.RecordSuccess(probe);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(TimeSpan.FromSeconds(5), breaker.CreateRejection().RetryAfter);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public void A_slow_probe_that_failed_adds_to_the_consecutive_failures_and_one_that_succeeded_does_not(bool fails, int added)
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 5_000, SlowCallDurationMs = 1_000 });
        Fail(breaker, Fast, 1);
        int before = breaker.GetMetrics().ConsecutiveFailures;
        _clock.Advance(TimeSpan.FromSeconds(5));

        if (fails)
        {
            Fail(breaker, Slow, 1);
        }
        else
        {
            Succeed(breaker, Slow, 1);
        }

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(before + added, breaker.GetMetrics().ConsecutiveFailures);
    }

    [Fact]
    public void Only_a_change_from_closed_to_open_reports_a_slow_call_rate()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions
        {
            SlowCallDurationMs = 1_000, SlowCallRatio = 0.5, MinimumThroughput = 2, BreakDurationMs = 5_000,
        });
        var changes = new List<CircuitStateChangedEventArgs>();
        breaker.StateChanged += (_, e) => changes.Add(e);

        Succeed(breaker, Slow, 1);
        breaker.Isolate();
        breaker.Reset();
        Succeed(breaker, Slow, 2);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Succeed(breaker, Slow, 1);                                      // a slow probe opens it again

        Assert.Equal(
            new[]
            {
                (CircuitState.Closed, CircuitState.Isolated, 0.0),
                (CircuitState.Isolated, CircuitState.Closed, 0.0),
                (CircuitState.Closed, CircuitState.Open, 1.0),
                (CircuitState.Open, CircuitState.HalfOpen, 0.0),
                (CircuitState.HalfOpen, CircuitState.Open, 0.0),
            },
            changes.Select(e => (e.PreviousState, e.State, e.SlowCallRate)));
    }

    [Fact]
    public void Fast_calls_that_fail_are_not_slow_calls()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 10, SlowCallDurationMs = 1_000, SlowCallRatio = 0.5, MinimumThroughput = 4 });

        Fail(breaker, Fast, 3);
        Succeed(breaker, Slow, 1);

        Assert.Equal(CircuitState.Closed, breaker.State);                // 1 slow call in 4: under half
        Assert.Equal(1, breaker.GetMetrics().SlowCalls);
    }

    [Fact]
    public void A_share_of_slow_calls_under_the_ratio_keeps_the_breaker_closed()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { SlowCallDurationMs = 1_000, SlowCallRatio = 0.5, MinimumThroughput = 4 });

        Succeed(breaker, Fast, 3);
        Succeed(breaker, Slow, 1);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Succeed(breaker, Slow, 1);                                      // 2 of 5: still under half
        Assert.Equal(CircuitState.Closed, breaker.State);
        Succeed(breaker, Slow, 1);                                      // 3 of 6: half
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void A_slow_failure_that_reaches_the_failure_threshold_opens_the_breaker_though_slow_calls_are_under_their_ratio()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, SlowCallDurationMs = 1_000, SlowCallRatio = 1.0, MinimumThroughput = 10 });

        Fail(breaker, Slow, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Settings_that_keep_the_sampling_duration_keep_the_slow_calls_counted_and_a_new_duration_starts_afresh()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { SlowCallDurationMs = 1_000, SlowCallRatio = 0.75, MinimumThroughput = 4, SamplingDurationMs = 60_000 });
        Succeed(breaker, Slow, 3);

        _registry.Configure(new Dictionary<string, PolicySettings> { ["slow"] = new PolicySettings { SlowCallRatio = 0.7 } });
        Succeed(breaker, Slow, 1);                                      // the fourth slow call of the same window
        Assert.Equal(CircuitState.Open, breaker.State);

        CircuitBreakerState other = _registry.GetOrAddCircuitBreaker("slow-2", new CircuitBreakerOptions { SlowCallDurationMs = 1_000, SlowCallRatio = 0.75, MinimumThroughput = 4, SamplingDurationMs = 60_000 });
        Succeed(other, Slow, 3);
        _registry.Configure(new Dictionary<string, PolicySettings> { ["slow-2"] = new PolicySettings { SamplingDurationMs = 30_000 } });
        Succeed(other, Slow, 1);                                        // the first of a new window
        Assert.Equal(CircuitState.Closed, other.State);
    }

    [Fact]
    public void A_fast_probe_closes_the_half_open_breaker()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 5_000, SlowCallDurationMs = 1_000 });
        Fail(breaker, Fast, 1);
        _clock.Advance(TimeSpan.FromSeconds(5));

        Succeed(breaker, Fast, 1);

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_call_through_the_manual_api_is_timed_too()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { SlowCallDurationMs = 1_000, MinimumThroughput = 1 });

        using (CircuitBreakerCall call = breaker.Begin())
        {
            _clock.Advance(Slow);
            call.Complete();
        }

        Assert.Equal(1, breaker.GetMetrics().SlowCalls);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void A_breaker_that_does_not_judge_slow_calls_reads_no_clock_for_a_call()
    {
        var clock = new CountingTimeProvider();
        var registry = new ResilienceRegistry { TimeProvider = clock };
        CircuitBreakerState breaker = registry.GetOrAddCircuitBreaker("untimed", new CircuitBreakerOptions());
        int before = clock.Reads;

        for (int i = 0; i < 10; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            breaker.RecordSuccess(permit);
        }

        Assert.Equal(before, clock.Reads);
    }

    [Fact]
    public void Settings_from_configuration_turn_the_rule_on_for_a_breaker_that_exists()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { MinimumThroughput = 1 });
        Succeed(breaker, Slow, 3);
        Assert.Equal(CircuitState.Closed, breaker.State);

        _registry.Configure(new Dictionary<string, PolicySettings> { ["slow"] = new() { SlowCallDurationMs = 1_000 } });
        Succeed(breaker, Slow, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(1_000, breaker.Options.SlowCallDurationMs);
    }

    [Theory]
    [InlineData(-1, 1.0, "CircuitBreakerOptions.SlowCallDurationMs is -1; it must be at least 0.")]
    [InlineData(1_000, 0.0, "CircuitBreakerOptions.SlowCallRatio is 0; it must be in (0, 1].")]
    [InlineData(1_000, 1.5, "CircuitBreakerOptions.SlowCallRatio is 1.5; it must be in (0, 1].")]
    public void Options_out_of_range_are_refused_with_the_setting_and_its_range(int durationMs, double ratio, string message)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => _registry.GetOrAddCircuitBreaker("bad", new CircuitBreakerOptions { SlowCallDurationMs = durationMs, SlowCallRatio = ratio }));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    private CircuitBreakerState Create(CircuitBreakerOptions options) => _registry.GetOrAddCircuitBreaker("slow", options);

    private void Succeed(CircuitBreakerState breaker, TimeSpan duration, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            _clock.Advance(duration);
            breaker.RecordSuccess(permit);
        }
    }

    private void Fail(CircuitBreakerState breaker, TimeSpan duration, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            _clock.Advance(duration);
            breaker.RecordFailure(permit);
        }
    }

    /// <summary>A fixed clock that counts how often it is read.</summary>
    private sealed class CountingTimeProvider : TimeProvider
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public override long GetTimestamp()
        {
            Interlocked.Increment(ref _reads);
            return 1_000_000;
        }

        public override DateTimeOffset GetUtcNow()
        {
            Interlocked.Increment(ref _reads);
            return new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        }
    }
}
