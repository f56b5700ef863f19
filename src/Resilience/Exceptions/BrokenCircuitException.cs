using System;

namespace Resilience;

/// <summary>Thrown when a circuit breaker rejects a call because it is open, isolated, or half-open with every probe taken.</summary>
public sealed class BrokenCircuitException : ResilienceRejectedException
{
    /// <summary>Creates the rejection of a call by an open, isolated or busy half-open breaker.</summary>
    /// <param name="policyName">The breaker's name.</param>
    /// <param name="state">The breaker's state when it rejected the call.</param>
    /// <param name="retryAfter">The rest of the break, when the breaker is open.</param>
    public BrokenCircuitException(string policyName, CircuitState state, TimeSpan? retryAfter)
        : base(CreateMessage(policyName, state, retryAfter), policyName, retryAfter)
    {
        State = state;
    }

    /// <summary>The breaker's state when it rejected the call.</summary>
    public CircuitState State { get; }

    private static string CreateMessage(string policyName, CircuitState state, TimeSpan? retryAfter) => state switch
    {
        CircuitState.Isolated => $"The circuit breaker '{policyName}' is isolated: every call is rejected until it is reset.",
        CircuitState.HalfOpen => $"The circuit breaker '{policyName}' is half-open and all its probe calls are in flight: the call was rejected.",
        _ when retryAfter is { } after => $"The circuit breaker '{policyName}' is open: calls are rejected for another {FormatDuration(after)}.",
        _ => $"The circuit breaker '{policyName}' is open: the call was rejected.",
    };
}
