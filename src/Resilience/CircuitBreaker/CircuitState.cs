namespace Resilience;

/// <summary>The state of a circuit breaker.</summary>
public enum CircuitState
{
    /// <summary>Calls flow; failures are counted.</summary>
    Closed = 0,

    /// <summary>Calls are rejected with <see cref="BrokenCircuitException"/> until the break duration has elapsed.</summary>
    Open = 1,

    /// <summary>The break has elapsed: a limited number of probe calls are let through to test the dependency.</summary>
    HalfOpen = 2,

    /// <summary>Opened by hand with <see cref="CircuitBreakerState.Isolate"/>: every call is rejected until <see cref="CircuitBreakerState.Reset"/>.</summary>
    Isolated = 3,
}
