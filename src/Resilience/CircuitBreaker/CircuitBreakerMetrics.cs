using System;

namespace Resilience;

/// <summary>A snapshot of a circuit breaker's counters, taken by <see cref="CircuitBreakerState.GetMetrics"/>.</summary>
/// <remarks>The counts run from the breaker's creation or the registry's last <see cref="ResilienceRegistry.Reset"/>.</remarks>
public sealed class CircuitBreakerMetrics
{
    internal CircuitBreakerMetrics(CircuitState state, long successes, long failures, long rejections, int consecutiveFailures, DateTimeOffset? lastFailureTime, TimeSpan timeInState)
    {
        State = state;
        Successes = successes;
        Failures = failures;
        Rejections = rejections;
        ConsecutiveFailures = consecutiveFailures;
        LastFailureTime = lastFailureTime;
        TimeInState = timeInState;
    }

    /// <summary>The breaker's state when the snapshot was taken.</summary>
    public CircuitState State { get; }

    /// <summary>Calls that reached the operation and completed with a success or a failure: <see cref="Successes"/> + <see cref="Failures"/>.</summary>
    public long Calls => Successes + Failures;

    /// <summary>Calls that succeeded.</summary>
    public long Successes { get; }

    /// <summary>Calls that failed with an exception the breaker handles (timeouts included).</summary>
    public long Failures { get; }

    /// <summary>Calls the breaker rejected without running them.</summary>
    public long Rejections { get; }

    /// <summary>Failures since the last success (consecutive mode's counter).</summary>
    public int ConsecutiveFailures { get; }

    /// <summary><see cref="Failures"/> / <see cref="Calls"/>, in [0, 1]; 0 when there were no calls.</summary>
    public double ErrorRate => Calls == 0 ? 0 : (double)Failures / Calls;

    /// <summary>When the last failure was recorded, from the registry's <see cref="TimeProvider"/>; null if none.</summary>
    public DateTimeOffset? LastFailureTime { get; }

    /// <summary>How long the breaker has been in <see cref="State"/>, on the registry's clock.</summary>
    public TimeSpan TimeInState { get; }
}
