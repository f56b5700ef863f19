using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>A breaker used by hand, through <see cref="CircuitBreakerState.Begin"/> and <see cref="CircuitBreakerCall"/>.</summary>
public sealed class CircuitBreakerCallTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public CircuitBreakerCallTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void Completed_calls_are_successes_and_disposed_ones_failures_that_open_the_breaker()
    {
        CircuitBreakerState breaker = Create(failureThreshold: 2);

        using (CircuitBreakerCall call = breaker.Begin())
        {
            call.Complete();
        }

        using (breaker.Begin())
        {
            // Ends without Complete: a failure.
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
        using (breaker.Begin())
        {
        }

        Assert.Equal(CircuitState.Open, breaker.State);
        BrokenCircuitException rejection = Assert.Throws<BrokenCircuitException>(() => breaker.Begin());
        Assert.Equal("manual", rejection.PolicyName);
        Assert.False(breaker.TryBegin(out CircuitBreakerCall? refused));
        Assert.Null(refused);
    }

    [Fact]
    public void A_failure_recorded_before_the_dispose_is_counted_once()
    {
        CircuitBreakerState breaker = Create(failureThreshold: 2);

        using (CircuitBreakerCall call = breaker.Begin())
        {
            call.Fail();
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(1, breaker.GetMetrics().Failures);
    }

    [Fact]
    public void An_ignored_call_counts_neither_way_and_frees_a_probe()
    {
        CircuitBreakerState breaker = Create(failureThreshold: 1);
        using (breaker.Begin())
        {
        }

        Assert.Equal(CircuitState.Open, breaker.State);
        _clock.Advance(TimeSpan.FromSeconds(31));

        Assert.True(breaker.TryBegin(out CircuitBreakerCall? probe));
        Assert.True(probe.IsProbe);
        probe.Ignore();
        probe.Dispose();

        // The probe's slot is free again: the next call probes, and its success closes the breaker.
        using (CircuitBreakerCall next = breaker.Begin())
        {
            Assert.True(next.IsProbe);
            next.Complete();
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_second_outcome_is_refused_with_a_message_naming_the_breaker()
    {
        CircuitBreakerState breaker = Create(failureThreshold: 5);
        using CircuitBreakerCall call = breaker.Begin();
        call.Complete();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => call.Fail());
        Assert.Contains("'manual'", error.Message, StringComparison.Ordinal);
        Assert.True(call.IsRecorded);
        Assert.Equal(1, breaker.GetMetrics().Successes);
        Assert.Equal(0, breaker.GetMetrics().Failures);
    }

    [Fact]
    public void Calls_by_hand_raise_the_same_state_changes_as_generated_ones()
    {
        var changes = new List<CircuitState>();
        CircuitBreakerState breaker = Create(failureThreshold: 1);
        breaker.StateChanged += (_, e) => changes.Add(e.State);

        using (breaker.Begin())
        {
        }

        Assert.Equal(new[] { CircuitState.Open }, changes);
    }

    [Fact]
    public void Probes_still_running_from_an_earlier_half_open_period_count_against_the_next_one()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("probes", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, HalfOpenMaxCalls = 3 });
        using (breaker.Begin())
        {
        }

        _clock.Advance(TimeSpan.FromSeconds(2));
        CircuitBreakerCall[] probes = Enumerable.Range(0, 3).Select(_ => breaker.Begin()).ToArray();
        Assert.All(probes, probe => Assert.True(probe.IsProbe));
        Assert.False(breaker.TryBegin(out _));

        // One probe fails and opens the breaker again; the two others are still running when the break ends.
        probes[0].Fail();
        Assert.Equal(CircuitState.Open, breaker.State);
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.True(breaker.TryBegin(out CircuitBreakerCall? fresh));
        Assert.False(breaker.TryBegin(out _));

        // The old probes end: their outcomes belong to a period that is over, but their slots come back.
        probes[1].Complete();
        probes[2].Complete();
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryBegin(out CircuitBreakerCall? second));
        Assert.True(breaker.TryBegin(out CircuitBreakerCall? third));
        Assert.False(breaker.TryBegin(out _));

        fresh.Complete();
        Assert.Equal(CircuitState.Closed, breaker.State);
        second.Dispose();
        third.Dispose();
    }

    private CircuitBreakerState Create(int failureThreshold)
        => _registry.GetOrAddCircuitBreaker("manual", new CircuitBreakerOptions { FailureThreshold = failureThreshold, BreakDurationMs = 30_000 });
}
