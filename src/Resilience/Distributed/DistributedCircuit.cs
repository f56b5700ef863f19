using System;

namespace Resilience;

/// <summary>
/// A circuit breaker marked <c>Distributed</c> as an <see cref="IDistributedResilienceStore"/> sees it: its name, its key,
/// its settings, and the way to tell it of a change another instance made.
/// </summary>
public sealed class DistributedCircuit
{
    private readonly CircuitBreakerState _breaker;

    internal DistributedCircuit(CircuitBreakerState breaker)
    {
        _breaker = breaker;
    }

    /// <summary>The breaker's name.</summary>
    public string Name => _breaker.Name;

    /// <summary>The <see cref="CircuitBreakerKeyAttribute"/> value as text; null for a breaker not kept per key.</summary>
    public string? Key => _breaker.Key;

    /// <summary>The break of the breaker's settings in force.</summary>
    public TimeSpan BreakDuration => TimeSpan.FromMilliseconds(_breaker.Options.BreakDurationMs);

    /// <summary>The breaker's state on this instance.</summary>
    public CircuitState State => _breaker.State;

    /// <summary>
    /// Applies a change of state that another instance made, or that the store holds: open with
    /// <paramref name="remainingBreak"/> left of its break, isolated, or closed. Half-open is not shared (each instance
    /// turns half-open when the break ends, and the probe lease decides who probes) and is ignored. The change is not
    /// published again.
    /// </summary>
    /// <param name="state">The state to enter.</param>
    /// <param name="remainingBreak">What is left of the break, for <see cref="CircuitState.Open"/>.</param>
    public void ApplyRemote(CircuitState state, TimeSpan remainingBreak) => _breaker.ApplyRemote(state, remainingBreak);
}
