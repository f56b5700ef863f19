using System.ComponentModel;

namespace Resilience;

/// <summary>
/// What <see cref="CircuitBreakerState.TryEnter"/> hands a call it lets through; the call gives it back with
/// exactly one of <see cref="CircuitBreakerState.RecordSuccess"/>, <see cref="CircuitBreakerState.RecordFailure(in CircuitBreakerPermit)"/>
/// or <see cref="CircuitBreakerState.RecordIgnored"/>.
/// </summary>
/// <remarks>Generated code uses it; a value type, so letting a call through allocates nothing.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct CircuitBreakerPermit
{
    internal CircuitBreakerPermit(long status, bool isProbe, long startedAt = 0)
    {
        Status = status;
        IsProbe = isProbe;
        StartedAt = startedAt;
    }

    /// <summary>The breaker's state and generation when the call entered.</summary>
    internal long Status { get; }

    /// <summary>True when the call is one of the half-open breaker's probes.</summary>
    internal bool IsProbe { get; }

    /// <summary>
    /// When the call entered, in <c>Clock.NowTicks</c> of the breaker's clock, when the breaker judges slow calls; 0
    /// when it does not time the call.
    /// </summary>
    internal long StartedAt { get; }
}
