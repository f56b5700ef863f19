namespace Resilience;

/// <summary>The kinds of policy that keep shared state under a name.</summary>
public enum PolicyKind
{
    /// <summary>A <see cref="CircuitBreakerState"/>.</summary>
    CircuitBreaker,

    /// <summary>A <see cref="BulkheadState"/>.</summary>
    Bulkhead,

    /// <summary>A <see cref="RateLimiterState"/> (or a limit kept per key).</summary>
    RateLimit,
}
