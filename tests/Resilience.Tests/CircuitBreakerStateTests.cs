using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

public sealed class CircuitBreakerStateTests
{
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public CircuitBreakerStateTests() => _registry = TestSupport.CreateRegistry(out _clock);

    // ---- consecutive mode -------------------------------------------------------------------------

    [Fact]
    public void Opens_after_five_consecutive_failures()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions());

        Fail(breaker, 4);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Stays_closed_one_failure_short_of_the_threshold()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 3 });

        Fail(breaker, 2);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryEnter(out _));
        Assert.Equal(2, breaker.GetMetrics().ConsecutiveFailures);
    }

    [Fact]
    public void A_success_resets_the_consecutive_failure_count()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 3 });

        Fail(breaker, 2);
        Succeed(breaker, 1);
        Assert.Equal(0, breaker.GetMetrics().ConsecutiveFailures);

        Fail(breaker, 2);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void An_ignored_outcome_neither_counts_as_a_failure_nor_resets_the_count()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 2 });

        Fail(breaker, 1);
        Ignore(breaker, 5);

        Assert.Equal(CircuitState.Closed, breaker.State);
        CircuitBreakerMetrics metrics = breaker.GetMetrics();
        Assert.Equal(1, metrics.ConsecutiveFailures);
        Assert.Equal(1, metrics.Calls);

        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    // ---- open -------------------------------------------------------------------------------------

    [Fact]
    public void An_open_breaker_rejects_with_the_rest_of_the_break_as_retry_after()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 30_000 });
        Fail(breaker, 1);

        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.False(breaker.TryEnter(out _));
        BrokenCircuitException rejection = breaker.CreateRejection();
        Assert.Equal(CircuitState.Open, rejection.State);
        Assert.Equal(TimeSpan.FromSeconds(20), rejection.RetryAfter);
        Assert.Equal("test", rejection.PolicyName);
    }

    [Fact]
    public void Stays_open_until_one_tick_before_the_break_ends()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 5_000 });
        Fail(breaker, 1);

        _clock.Advance(TimeSpan.FromSeconds(5) - OneTick);

        Assert.False(breaker.TryEnter(out _));
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(OneTick, breaker.CreateRejection().RetryAfter);
    }

    [Fact]
    public void The_first_call_after_the_break_turns_it_half_open()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 5_000 });
        Fail(breaker, 1);

        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(CircuitState.Open, breaker.State); // nothing changes until a call arrives

        Assert.True(breaker.TryEnter(out _));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    // ---- half-open --------------------------------------------------------------------------------

    [Fact]
    public void Half_open_admits_exactly_HalfOpenMaxCalls_probes_at_once()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak(new CircuitBreakerOptions { FailureThreshold = 1, HalfOpenMaxCalls = 3 });

        Assert.True(breaker.TryEnter(out _));
        Assert.True(breaker.TryEnter(out _));
        Assert.True(breaker.TryEnter(out _));
        Assert.False(breaker.TryEnter(out _));

        BrokenCircuitException rejection = breaker.CreateRejection();
        Assert.Equal(CircuitState.HalfOpen, rejection.State);
        Assert.Null(rejection.RetryAfter);
    }

    [Fact]
    public void Closes_after_SuccessThreshold_successful_probes_and_not_fewer()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak(new CircuitBreakerOptions { FailureThreshold = 1, SuccessThreshold = 3, HalfOpenMaxCalls = 3 });
        var probes = new CircuitBreakerPermit[3];
        for (int i = 0; i < probes.Length; i++)
        {
            Assert.True(breaker.TryEnter(out probes[i]));
        }

        breaker.RecordSuccess(probes[0]);
        breaker.RecordSuccess(probes[1]);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);

        breaker.RecordSuccess(probes[2]);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Probes_one_at_a_time_close_it_after_SuccessThreshold_successes()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak(new CircuitBreakerOptions { FailureThreshold = 1, SuccessThreshold = 2, HalfOpenMaxCalls = 1 });

        Assert.True(breaker.TryEnter(out CircuitBreakerPermit first));
        Assert.False(breaker.TryEnter(out _));
        breaker.RecordSuccess(first);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);

        Assert.True(breaker.TryEnter(out CircuitBreakerPermit second));
        breaker.RecordSuccess(second);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_failed_probe_reopens_it_for_a_new_full_break()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 5_000 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));

        breaker.RecordFailure(probe);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(TimeSpan.FromSeconds(5), breaker.CreateRejection().RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(5) - OneTick);
        Assert.False(breaker.TryEnter(out _));
        _clock.Advance(OneTick);
        Assert.True(breaker.TryEnter(out _));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Fact]
    public void A_probe_ended_as_ignored_frees_its_slot()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak(new CircuitBreakerOptions { FailureThreshold = 1, HalfOpenMaxCalls = 1 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        Assert.False(breaker.TryEnter(out _));

        breaker.RecordIgnored(probe);

        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryEnter(out _));
    }

    // ---- outcomes that arrive after the breaker moved on ----------------------------------------------

    [Fact]
    public void A_late_probe_success_does_not_close_the_next_half_open_period_but_gives_its_slot_back()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak(new CircuitBreakerOptions { FailureThreshold = 1, HalfOpenMaxCalls = 2, BreakDurationMs = 1_000 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit slowProbe));
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit failingProbe));
        breaker.RecordFailure(failingProbe);
        _clock.Advance(TimeSpan.FromSeconds(1));

        // The slow probe of the last period still runs: the new one has one slot, not two.
        Assert.True(breaker.TryEnter(out _));
        Assert.False(breaker.TryEnter(out _));

        breaker.RecordSuccess(slowProbe);

        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryEnter(out _));
        Assert.False(breaker.TryEnter(out _));
    }

    [Fact]
    public void A_late_probe_failure_does_not_reopen_a_closed_breaker()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak(new CircuitBreakerOptions { FailureThreshold = 1, HalfOpenMaxCalls = 2 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit first));
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit second));
        breaker.RecordSuccess(first);
        Assert.Equal(CircuitState.Closed, breaker.State);

        breaker.RecordFailure(second);

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_late_failure_from_before_a_reset_does_not_open_the_breaker()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.Isolate();
        breaker.Reset();

        breaker.RecordFailure(permit);

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_late_failure_from_before_the_break_does_not_count_towards_the_closed_breaker()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 2 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit slow));
        Fail(breaker, 2);
        _clock.Advance(TimeSpan.FromMilliseconds(breaker.Options.BreakDurationMs));
        Succeed(breaker, 1); // the probe closes it
        Assert.Equal(CircuitState.Closed, breaker.State);

        breaker.RecordFailure(slow);
        Assert.Equal(0, breaker.GetMetrics().ConsecutiveFailures);
        Fail(breaker, 1);

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_late_success_from_before_the_break_does_not_reset_the_closed_breakers_count()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 2 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit slow));
        Fail(breaker, 2);
        _clock.Advance(TimeSpan.FromMilliseconds(breaker.Options.BreakDurationMs));
        Succeed(breaker, 1);
        Fail(breaker, 1);

        breaker.RecordSuccess(slow);
        Fail(breaker, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void A_late_success_does_not_close_an_open_breaker()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit slow));
        Fail(breaker, 1);

        breaker.RecordSuccess(slow);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out _));
    }

    // ---- ratio mode -------------------------------------------------------------------------------

    [Fact]
    public void Ratio_mode_does_not_open_below_MinimumThroughput_even_when_every_call_fails()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 10, FailureThreshold = 1 });

        Fail(breaker, 9);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Ratio_mode_opens_once_failures_reach_the_ratio_of_calls()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 10 });
        Succeed(breaker, 6);

        Fail(breaker, 4); // 4 of 10
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1); // 5 of 11
        Assert.Equal(CircuitState.Closed, breaker.State);

        Fail(breaker, 1); // 6 of 12 = 0.5
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Ratio_mode_still_counts_calls_nine_tenths_of_the_sampling_duration_ago()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureRatio = 1, MinimumThroughput = 10, SamplingDurationMs = 10_000 });
        Fail(breaker, 9);

        _clock.Advance(TimeSpan.FromSeconds(9));
        Fail(breaker, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Ratio_mode_forgets_calls_older_than_the_sampling_duration()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureRatio = 1, MinimumThroughput = 10, SamplingDurationMs = 10_000 });
        Fail(breaker, 9);

        _clock.Advance(TimeSpan.FromSeconds(10));
        Fail(breaker, 9);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    // ---- isolate and reset ------------------------------------------------------------------------

    [Fact]
    public void Isolate_rejects_every_call_until_reset()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { BreakDurationMs = 1_000 });

        breaker.Isolate();
        _clock.Advance(TimeSpan.FromDays(1));

        Assert.Equal(CircuitState.Isolated, breaker.State);
        Assert.False(breaker.TryEnter(out _));
        BrokenCircuitException rejection = breaker.CreateRejection();
        Assert.Equal(CircuitState.Isolated, rejection.State);
        Assert.Null(rejection.RetryAfter);

        breaker.Reset();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryEnter(out _));
    }

    [Fact]
    public void Reset_closes_an_open_breaker()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1 });
        Fail(breaker, 1);

        breaker.Reset();

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryEnter(out _));
    }

    [Fact]
    public void Reset_forgets_the_failures_counted_so_far()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 3 });
        Fail(breaker, 2);

        breaker.Reset();
        Fail(breaker, 2);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, breaker.GetMetrics().ConsecutiveFailures);
    }

    [Fact]
    public void Reset_forgets_the_ratio_window()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureRatio = 1, MinimumThroughput = 10 });
        Fail(breaker, 9);

        breaker.Reset();
        Fail(breaker, 9);

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    // ---- events -----------------------------------------------------------------------------------

    [Fact]
    public void StateChanged_reports_every_transition_in_order()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        var changes = new List<(CircuitState From, CircuitState To, DateTimeOffset At)>();
        breaker.StateChanged += (sender, e) =>
        {
            Assert.Same(breaker, sender);
            Assert.Equal("test", e.Name);
            changes.Add((e.PreviousState, e.State, e.Timestamp));
        };
        DateTimeOffset start = _clock.GetUtcNow();

        Fail(breaker, 1);                        // closed → open
        _clock.Advance(TimeSpan.FromSeconds(1));
        Fail(breaker, 1);                        // open → half-open, failed probe: half-open → open
        _clock.Advance(TimeSpan.FromSeconds(1));
        Succeed(breaker, 1);                     // open → half-open, good probe: half-open → closed

        Assert.Equal(
            [
                (CircuitState.Closed, CircuitState.Open, start),
                (CircuitState.Open, CircuitState.HalfOpen, start.AddSeconds(1)),
                (CircuitState.HalfOpen, CircuitState.Open, start.AddSeconds(1)),
                (CircuitState.Open, CircuitState.HalfOpen, start.AddSeconds(2)),
                (CircuitState.HalfOpen, CircuitState.Closed, start.AddSeconds(2)),
            ],
            changes);
    }

    [Fact]
    public void StateChanged_reports_isolate_and_reset()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions());
        var changes = new List<(CircuitState From, CircuitState To)>();
        breaker.StateChanged += (_, e) => changes.Add((e.PreviousState, e.State));

        breaker.Isolate();
        breaker.Isolate();
        breaker.Reset();
        breaker.Reset();

        Assert.Equal([(CircuitState.Closed, CircuitState.Isolated), (CircuitState.Isolated, CircuitState.Closed)], changes);
    }

    // ---- metrics ----------------------------------------------------------------------------------

    [Fact]
    public void Metrics_start_empty()
    {
        CircuitBreakerMetrics metrics = Create(new CircuitBreakerOptions()).GetMetrics();

        Assert.Equal(CircuitState.Closed, metrics.State);
        Assert.Equal(0, metrics.Calls);
        Assert.Equal(0, metrics.Rejections);
        Assert.Equal(0, metrics.ErrorRate);
        Assert.Null(metrics.LastFailureTime);
    }

    [Fact]
    public void Metrics_count_successes_failures_rejections_and_the_last_failure_time()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 3 });
        Succeed(breaker, 2);
        Fail(breaker, 1);
        _clock.Advance(TimeSpan.FromSeconds(7));
        Fail(breaker, 2);
        DateTimeOffset lastFailure = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(breaker.TryEnter(out _));
        Assert.False(breaker.TryEnter(out _));

        CircuitBreakerMetrics metrics = breaker.GetMetrics();

        Assert.Equal(CircuitState.Open, metrics.State);
        Assert.Equal(2, metrics.Successes);
        Assert.Equal(3, metrics.Failures);
        Assert.Equal(5, metrics.Calls);
        Assert.Equal(2, metrics.Rejections);
        Assert.Equal(0.6, metrics.ErrorRate, 10);
        Assert.Equal(3, metrics.ConsecutiveFailures);
        Assert.Equal(lastFailure, metrics.LastFailureTime);
    }

    // ---- options ----------------------------------------------------------------------------------

    [Theory]
    [InlineData(nameof(CircuitBreakerOptions.FailureThreshold), 0, "CircuitBreakerOptions.FailureThreshold is 0; it must be at least 1.")]
    [InlineData(nameof(CircuitBreakerOptions.MinimumThroughput), 0, "CircuitBreakerOptions.MinimumThroughput is 0; it must be at least 1.")]
    [InlineData(nameof(CircuitBreakerOptions.SamplingDurationMs), 0, "CircuitBreakerOptions.SamplingDurationMs is 0; it must be at least 1.")]
    [InlineData(nameof(CircuitBreakerOptions.BreakDurationMs), -1, "CircuitBreakerOptions.BreakDurationMs is -1; it must be at least 1.")]
    [InlineData(nameof(CircuitBreakerOptions.SuccessThreshold), 0, "CircuitBreakerOptions.SuccessThreshold is 0; it must be at least 1.")]
    [InlineData(nameof(CircuitBreakerOptions.HalfOpenMaxCalls), 0, "CircuitBreakerOptions.HalfOpenMaxCalls is 0; it must be at least 1.")]
    [InlineData(nameof(CircuitBreakerOptions.FailureRatio), -0.5, "CircuitBreakerOptions.FailureRatio is -0.5; it must be 0 (off) or in (0, 1].")]
    [InlineData(nameof(CircuitBreakerOptions.FailureRatio), 1.5, "CircuitBreakerOptions.FailureRatio is 1.5; it must be 0 (off) or in (0, 1].")]
    public void An_option_out_of_range_throws_naming_the_property(string property, double value, string expectedMessage)
    {
        var options = new CircuitBreakerOptions();
        switch (property)
        {
            case nameof(CircuitBreakerOptions.FailureThreshold): options.FailureThreshold = (int)value; break;
            case nameof(CircuitBreakerOptions.MinimumThroughput): options.MinimumThroughput = (int)value; break;
            case nameof(CircuitBreakerOptions.SamplingDurationMs): options.SamplingDurationMs = (int)value; break;
            case nameof(CircuitBreakerOptions.BreakDurationMs): options.BreakDurationMs = (int)value; break;
            case nameof(CircuitBreakerOptions.SuccessThreshold): options.SuccessThreshold = (int)value; break;
            case nameof(CircuitBreakerOptions.HalfOpenMaxCalls): options.HalfOpenMaxCalls = (int)value; break;
            case nameof(CircuitBreakerOptions.FailureRatio): options.FailureRatio = value; break;
        }

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _registry.GetOrAddCircuitBreaker("test", options));

        Assert.StartsWith(expectedMessage, error.Message, StringComparison.Ordinal);
        Assert.Equal("CircuitBreakerOptions." + property, error.ParamName);
        Assert.False(_registry.TryGetCircuitBreaker("test", out _));
    }

    [Fact]
    public void A_failure_ratio_that_is_not_a_number_is_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _registry.GetOrAddCircuitBreaker("test", new CircuitBreakerOptions { FailureRatio = double.NaN }));

        Assert.Equal("CircuitBreakerOptions.FailureRatio", error.ParamName);
    }

    [Fact]
    public void Options_are_copied_when_the_breaker_is_created()
    {
        var options = new CircuitBreakerOptions { FailureThreshold = 2 };
        CircuitBreakerState breaker = Create(options);

        options.FailureThreshold = 100;
        breaker.Options.FailureThreshold = 100;
        Fail(breaker, 2);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(2, breaker.Options.FailureThreshold);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    [Fact]
    public void A_ratio_out_of_range_is_written_the_same_in_every_culture()
    {
        System.Globalization.CultureInfo previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => _registry.GetOrAddCircuitBreaker("test", new CircuitBreakerOptions { FailureRatio = 1.5 }));

            Assert.StartsWith("CircuitBreakerOptions.FailureRatio is 1.5; it must be 0 (off) or in (0, 1].", error.Message);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    // ---- what the metrics, the idleness and the remaining break say ----------------------------------

    [Fact]
    public void The_recent_failures_are_the_closed_breakers_own_and_once_it_left_closed_those_it_left_with()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 3, BreakDurationMs = 1_000 });

        Fail(breaker, 2);
        Assert.Equal(2, breaker.GetMetrics().RecentFailures);
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(3, breaker.GetMetrics().RecentFailures);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(3, breaker.GetMetrics().RecentFailures);
        breaker.RecordSuccess(probe);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetMetrics().RecentFailures);

        Fail(breaker, 1);
        breaker.Isolate();
        Assert.Equal(1, breaker.GetMetrics().RecentFailures);
    }

    [Fact]
    public void In_ratio_mode_an_open_breaker_reports_the_failures_it_opened_with_after_its_sampling_window_has_passed()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions
        {
            FailureRatio = 0.5, MinimumThroughput = 4, SamplingDurationMs = 1_000, BreakDurationMs = 60_000,
        });
        Succeed(breaker, 1);
        Fail(breaker, 3);
        Assert.Equal(CircuitState.Open, breaker.State);

        _clock.Advance(TimeSpan.FromSeconds(10));                       // the window the failures were counted in is gone

        CircuitBreakerMetrics metrics = breaker.GetMetrics();
        Assert.Equal(3, metrics.RecentFailures);
        Assert.Equal(0.75, metrics.RecentErrorRate);
    }

    [Fact]
    public void Only_a_change_to_open_reports_failures_in_its_event()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 3, BreakDurationMs = 1_000 });
        var changes = new List<CircuitStateChangedEventArgs>();
        breaker.StateChanged += (_, e) => changes.Add(e);

        Fail(breaker, 2);
        breaker.Isolate();
        breaker.Reset();
        Fail(breaker, 3);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Succeed(breaker, 1);

        Assert.Equal(
            new[]
            {
                (CircuitState.Closed, CircuitState.Isolated, 0, 0.0),
                (CircuitState.Isolated, CircuitState.Closed, 0, 0.0),
                (CircuitState.Closed, CircuitState.Open, 3, 1.0),
                (CircuitState.Open, CircuitState.HalfOpen, 0, 0.0),
                (CircuitState.HalfOpen, CircuitState.Closed, 0, 0.0),
            },
            changes.Select(e => (e.PreviousState, e.State, e.FailureCount, e.ErrorRate)));
    }

    [Fact]
    public void In_ratio_mode_settings_that_keep_the_sampling_duration_keep_the_calls_counted_and_a_new_duration_starts_afresh()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("kept", new CircuitBreakerOptions { FailureRatio = 0.75, MinimumThroughput = 4, SamplingDurationMs = 60_000 });
        Fail(breaker, 3);

        _registry.Configure(new Dictionary<string, PolicySettings> { ["kept"] = new PolicySettings { FailureRatio = 0.7 } });
        Fail(breaker, 1);                                               // the fourth failure of the same window
        Assert.Equal(CircuitState.Open, breaker.State);

        CircuitBreakerState other = _registry.GetOrAddCircuitBreaker("restarted", new CircuitBreakerOptions { FailureRatio = 0.75, MinimumThroughput = 4, SamplingDurationMs = 60_000 });
        Fail(other, 3);
        _registry.Configure(new Dictionary<string, PolicySettings> { ["restarted"] = new PolicySettings { SamplingDurationMs = 30_000 } });
        Fail(other, 1);                                                 // the first of a new window
        Assert.Equal(CircuitState.Closed, other.State);
    }

    [Fact]
    public void The_error_rate_of_a_consecutive_mode_opening_counts_only_the_calls_since_the_breaker_last_changed_state()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 2, BreakDurationMs = 1_000 });
        var opened = new List<double>();
        breaker.StateChanged += (_, e) => opened.AddRange(e.State == CircuitState.Open ? new[] { e.ErrorRate } : Array.Empty<double>());

        Succeed(breaker, 2);
        Fail(breaker, 2);                                               // 2 of 4
        _clock.Advance(TimeSpan.FromSeconds(1));
        Succeed(breaker, 1);                                            // the probe closes it
        Succeed(breaker, 6);
        Fail(breaker, 2);                                               // 2 of 8 since it closed

        Assert.Equal(new[] { 0.5, 0.25 }, opened);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_breaker_left_closed_without_a_call_reports_no_error_rate(bool ratioMode)
    {
        CircuitBreakerState breaker = Create(ratioMode ? new CircuitBreakerOptions { FailureRatio = 0.5 } : new CircuitBreakerOptions { FailureThreshold = 2 });

        breaker.Isolate();

        Assert.Equal(0, breaker.GetMetrics().RecentErrorRate);
        Assert.Equal(0, breaker.GetMetrics().RecentFailures);
    }

    [Fact]
    public void The_remaining_break_counts_down_while_open_and_is_zero_otherwise()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        Assert.Equal(TimeSpan.Zero, breaker.RemainingBreak);

        Fail(breaker, 1);
        Assert.Equal(TimeSpan.FromSeconds(1), breaker.RemainingBreak);
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.FromMilliseconds(700), breaker.RemainingBreak);
        _clock.Advance(TimeSpan.FromSeconds(5)); // still open until a call finds the break over
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(TimeSpan.Zero, breaker.RemainingBreak);

        breaker.Reset();
        Fail(breaker, 1);
        breaker.Isolate(); // isolated a moment after opening: no break is running
        Assert.Equal(TimeSpan.Zero, breaker.RemainingBreak);
    }

    [Fact]
    public void A_closed_breaker_is_idle_only_once_its_last_failure_is_older_than_its_break_and_its_window()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 5, BreakDurationMs = 2_000, SamplingDurationMs = 1_000 });
        Assert.True(breaker.IsIdle());

        Fail(breaker, 1);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(breaker.IsIdle());
        _clock.Advance(OneTick);
        Assert.True(breaker.IsIdle());
    }

    [Fact]
    public void An_open_breaker_is_never_idle_however_long_ago_it_failed()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        Fail(breaker, 1);

        _clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.IsIdle());
    }

    [Fact]
    public void A_probe_that_ends_after_a_reset_frees_no_slot_of_the_next_half_open_period()
    {
        var options = new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, HalfOpenMaxCalls = 1 };
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak(options);
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit late));
        breaker.Reset();
        breaker.RecordIgnored(late); // the reset forgot it: nothing to free

        Fail(breaker, 1);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(breaker.TryEnter(out _));
        Assert.False(breaker.TryEnter(out _));
    }

    [Fact]
    public void A_call_is_not_judged_slow_once_the_slow_call_rule_was_turned_off_while_it_ran()
    {
        CircuitBreakerState breaker = Create(new CircuitBreakerOptions { SlowCallDurationMs = 100, SlowCallRatio = 0.5, MinimumThroughput = 10 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        _clock.Advance(TimeSpan.FromMilliseconds(200));

        _registry.Configure(new Dictionary<string, PolicySettings> { ["test"] = new() { SlowCallDurationMs = 0 } });
        breaker.RecordSuccess(permit);

        Assert.Equal(0, breaker.GetMetrics().SlowCalls);
        Assert.Equal(1, breaker.GetMetrics().Successes);
    }

    [Fact]
    public void A_call_that_entered_when_the_clock_read_zero_is_still_timed()
    {
        var clock = new SteppedClock();
        var registry = new ResilienceRegistry { TimeProvider = clock };
        CircuitBreakerState breaker = registry.GetOrAddCircuitBreaker("slow", new CircuitBreakerOptions { SlowCallDurationMs = 100, SlowCallRatio = 1, MinimumThroughput = 1 });

        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        clock.Timestamp = TimeSpan.FromMilliseconds(200).Ticks;
        breaker.RecordSuccess(permit);

        Assert.Equal(1, breaker.GetMetrics().SlowCalls);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    /// <summary>A clock whose timestamp (10 MHz, so in <see cref="TimeSpan"/> ticks) is set by the test; it starts at 0.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        public long Timestamp { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Timestamp;
    }

    private CircuitBreakerState Create(CircuitBreakerOptions options) => _registry.GetOrAddCircuitBreaker("test", options);

    private CircuitBreakerState OpenAndWaitOutTheBreak(CircuitBreakerOptions options)
    {
        CircuitBreakerState breaker = Create(options);
        Fail(breaker, options.FailureThreshold);
        Assert.Equal(CircuitState.Open, breaker.State);
        _clock.Advance(TimeSpan.FromMilliseconds(options.BreakDurationMs));
        return breaker;
    }

    private static void Fail(CircuitBreakerState breaker, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            breaker.RecordFailure(permit);
        }
    }

    private static void Succeed(CircuitBreakerState breaker, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            breaker.RecordSuccess(permit);
        }
    }

    private static void Ignore(CircuitBreakerState breaker, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            breaker.RecordIgnored(permit);
        }
    }
}
