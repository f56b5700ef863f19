using System;

namespace Resilience;

/// <summary>
/// Describes a circuit breaker's change of state, raised by <see cref="CircuitBreakerState.StateChanged"/> and
/// passed to <see cref="ResilienceListener.OnCircuitStateChanged"/>.
/// </summary>
public sealed class CircuitStateChangedEventArgs : EventArgs
{
    internal CircuitStateChangedEventArgs(
        string name, CircuitState previousState, CircuitState state, DateTimeOffset timestamp, int failureCount = 0, double errorRate = 0, TimeSpan? breakDuration = null, string? key = null, double slowCallRate = 0)
    {
        Name = name;
        Key = key;
        PreviousState = previousState;
        State = state;
        Timestamp = timestamp;
        FailureCount = failureCount;
        ErrorRate = errorRate;
        BreakDuration = breakDuration;
        SlowCallRate = slowCallRate;
    }

    /// <summary>The breaker's name.</summary>
    public string Name { get; }

    /// <summary>The key of the breaker's partition that changed (see <see cref="CircuitBreakerKeyAttribute"/>); null for a breaker without a key.</summary>
    public string? Key { get; }

    /// <summary>The state the breaker left.</summary>
    public CircuitState PreviousState { get; }

    /// <summary>The state the breaker entered.</summary>
    public CircuitState State { get; }

    /// <summary>When the change happened, from the registry's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>
    /// On a change to <see cref="CircuitState.Open"/>: the failures that opened it: those in the sampling window
    /// in ratio mode, the run of consecutive failures in consecutive mode, the failed probes from half-open.
    /// 0 for other changes.
    /// </summary>
    public int FailureCount { get; }

    /// <summary>
    /// On a change to <see cref="CircuitState.Open"/>: the share of failed calls, in [0, 1], over the sampling window
    /// in ratio mode, otherwise since the breaker's previous change of state. 0 for other changes.
    /// </summary>
    public double ErrorRate { get; }

    /// <summary>
    /// On a change to <see cref="CircuitState.Open"/>: how long the breaker stays open (longer than its break when the
    /// <c>Retry-After</c> of a 429 or 503 holds it, see <see cref="CircuitBreakerOptions.HonorRetryAfter"/>); null for
    /// other changes.
    /// </summary>
    public TimeSpan? BreakDuration { get; }

    /// <summary>
    /// On a change from <see cref="CircuitState.Closed"/> to <see cref="CircuitState.Open"/> of a breaker that judges slow
    /// calls (<see cref="CircuitBreakerOptions.SlowCallDurationMs"/>): the share of slow calls, in [0, 1], over the
    /// sampling window, which tells a breaker opened by slow calls (when <see cref="FailureCount"/> may be 0) from one
    /// opened by failures. 0 for other changes and other breakers.
    /// </summary>
    public double SlowCallRate { get; }
}
