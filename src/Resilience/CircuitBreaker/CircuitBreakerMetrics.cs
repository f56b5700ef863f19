using System;

namespace Resilience;

/// <summary>A snapshot of a circuit breaker's counters, taken by <see cref="CircuitBreakerState.GetMetrics"/>.</summary>
/// <remarks>The counts run from the breaker's creation or the registry's last <see cref="ResilienceRegistry.Reset"/>.</remarks>
public sealed class CircuitBreakerMetrics
{
    internal CircuitBreakerMetrics(CircuitState state, long successes, long failures, long rejections, long slowCalls, int consecutiveFailures, DateTimeOffset? lastFailureTime, TimeSpan timeInState, int recentFailures, double recentErrorRate)
    {
        State = state;
        Successes = successes;
        Failures = failures;
        Rejections = rejections;
        SlowCalls = slowCalls;
        ConsecutiveFailures = consecutiveFailures;
        LastFailureTime = lastFailureTime;
        TimeInState = timeInState;
        RecentFailures = recentFailures;
        RecentErrorRate = recentErrorRate;
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

    /// <summary>
    /// Calls that took longer than <see cref="CircuitBreakerOptions.SlowCallDurationMs"/>, while the breaker judged slow
    /// calls; each is also counted in <see cref="Successes"/> or <see cref="Failures"/>.
    /// </summary>
    public long SlowCalls { get; }

    /// <summary>Failures since the last success (consecutive mode's counter).</summary>
    public int ConsecutiveFailures { get; }

    /// <summary><see cref="Failures"/> / <see cref="Calls"/> since the breaker was created, in [0, 1]; 0 when there were no calls.</summary>
    /// <remarks>A lifetime figure: to see what the breaker is judging now, read <see cref="RecentErrorRate"/>.</remarks>
    public double ErrorRate => Calls == 0 ? 0 : (double)Failures / Calls;

    /// <summary>When the last failure was recorded, from the registry's <see cref="TimeProvider"/>; null if none.</summary>
    public DateTimeOffset? LastFailureTime { get; }

    /// <summary>
    /// The failures the breaker judges by: while it is closed, those its mode counts now (over the sampling window
    /// with a <see cref="CircuitBreakerOptions.FailureRatio"/>, else since it last changed state); while it is open,
    /// half-open or isolated, those it left the closed state with: the figure its
    /// <see cref="CircuitStateChangedEventArgs.FailureCount"/> reported when it opened.
    /// </summary>
    public int RecentFailures { get; }

    /// <summary>
    /// <see cref="RecentFailures"/>' share of the calls counted with them, in [0, 1]: the figure the breaker's
    /// <see cref="CircuitStateChangedEventArgs.ErrorRate"/> reported when it opened, the hosting package's log and its
    /// health check's <c>errorRate</c>.
    /// </summary>
    public double RecentErrorRate { get; }

    /// <summary>How long the breaker has been in <see cref="State"/>, on the registry's clock.</summary>
    public TimeSpan TimeInState { get; }
}
