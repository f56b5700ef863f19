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
        : this(policyName, state, retryAfter, key: null)
    {
    }

    /// <summary>Creates the rejection of a call by an open, isolated or busy half-open breaker kept for one key.</summary>
    /// <param name="policyName">The breaker's name.</param>
    /// <param name="state">The breaker's state when it rejected the call.</param>
    /// <param name="retryAfter">The rest of the break, when the breaker is open.</param>
    /// <param name="key">The key of the breaker's partition (see <see cref="CircuitBreakerKeyAttribute"/>); null for a breaker without a key.</param>
    public BrokenCircuitException(string policyName, CircuitState state, TimeSpan? retryAfter, string? key)
        : base(CreateMessage(policyName, state, retryAfter, key), policyName, retryAfter)
    {
        State = state;
        Key = key;
    }

    /// <summary>The breaker's state when it rejected the call.</summary>
    public CircuitState State { get; }

    /// <summary>The key of the breaker's partition that rejected the call (see <see cref="CircuitBreakerKeyAttribute"/>); null for a breaker without a key.</summary>
    public string? Key { get; }

    private static string CreateMessage(string policyName, CircuitState state, TimeSpan? retryAfter, string? key)
    {
        string breaker = key is null ? $"The circuit breaker '{policyName}'" : $"The circuit breaker '{policyName}' for '{key}'";
        return state switch
        {
            CircuitState.Isolated => $"{breaker} is isolated: every call is rejected until it is reset.",
            CircuitState.HalfOpen => $"{breaker} is half-open and all its probe calls are in flight: the call was rejected.",
            _ when retryAfter is { } after => $"{breaker} is open: calls are rejected for another {FormatDuration(after)}.",
            _ => $"{breaker} is open: the call was rejected.",
        };
    }
}
