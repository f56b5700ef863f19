using System;

namespace Resilience;

/// <summary>
/// Consecutive mode: the breaker opens when <see cref="CircuitBreakerOptions.FailureThreshold"/> calls in a row
/// have failed; a success ends the run.
/// </summary>
/// <remarks>
/// The run is the breaker's <see cref="CircuitCounters.ConsecutiveFailures"/>, counted in every mode and ended
/// by the breaker when it closes; this mode alone ends it on a success. A success reads the run and writes it
/// only when there was one.
/// </remarks>
internal sealed class ConsecutiveFailuresBehavior : CircuitBehavior
{
    private readonly CircuitCounters _counters;
    private readonly int _failureThreshold;

    public ConsecutiveFailuresBehavior(CircuitBreakerOptions options, CircuitCounters counters)
    {
        _counters = counters;
        _failureThreshold = options.FailureThreshold;
    }

    public override void OnSuccess() => _counters.EndFailureRun();

    public override bool OnFailure(int consecutiveFailures) => consecutiveFailures >= _failureThreshold;

    /// <summary>Nothing to forget: the run of failures is the breaker's count, which it ends itself.</summary>
    public override void Clear()
    {
    }

    /// <summary>The run of consecutive failures, and the share of failures since the breaker last changed state.</summary>
    public override (int Failures, double ErrorRate) OpeningFailuresLocked()
        => (Math.Max(_counters.ConsecutiveFailures, 0), _counters.PeriodFailuresLocked().ErrorRate);
}
