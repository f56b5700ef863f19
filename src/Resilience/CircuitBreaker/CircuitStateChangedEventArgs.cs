using System;

namespace Resilience;

/// <summary>Describes a circuit breaker's change of state, raised by <see cref="CircuitBreakerState.StateChanged"/>.</summary>
public sealed class CircuitStateChangedEventArgs : EventArgs
{
    internal CircuitStateChangedEventArgs(string name, CircuitState previousState, CircuitState state, DateTimeOffset timestamp)
    {
        Name = name;
        PreviousState = previousState;
        State = state;
        Timestamp = timestamp;
    }

    /// <summary>The breaker's name.</summary>
    public string Name { get; }

    /// <summary>The state the breaker left.</summary>
    public CircuitState PreviousState { get; }

    /// <summary>The state the breaker entered.</summary>
    public CircuitState State { get; }

    /// <summary>When the change happened, from the registry's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Timestamp { get; }
}
