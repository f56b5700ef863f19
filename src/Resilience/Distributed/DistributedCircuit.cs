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
    /// What is left of the break while the breaker is open on this instance; zero in other states. A store that could not
    /// publish the opening publishes this once it can.
    /// </summary>
    public TimeSpan RemainingBreak => _breaker.RemainingBreak;

    /// <summary>
    /// Applies a change of state that another instance made, or that the store holds: open with
    /// <paramref name="remainingBreak"/> left of its break, isolated, or closed. Half-open is not shared (each instance
    /// turns half-open when the break ends, and the probe lease decides who probes) and is ignored. The change is not
    /// published again.
    /// </summary>
    /// <param name="state">The state to enter.</param>
    /// <param name="remainingBreak">What is left of the break, for <see cref="CircuitState.Open"/>.</param>
    public void ApplyRemote(CircuitState state, TimeSpan remainingBreak) => _breaker.ApplyRemote(state, remainingBreak, expectedVersion: null);

    /// <summary>
    /// A number that changes whenever the breaker changes state on this instance or is told of another instance's change.
    /// Read it before asking the store for the state it holds, and pass it to <see cref="ApplyStored"/>.
    /// </summary>
    public long Version => _breaker.DistributedVersion;

    /// <summary>
    /// Applies the state the store held when it was read, unless the breaker changed since <see cref="Version"/> returned
    /// <paramref name="version"/>: a change applied meanwhile (another instance's message, or this instance's own
    /// transition) is newer than the stored state read before it, and wins. Otherwise as <see cref="ApplyRemote"/>.
    /// </summary>
    /// <param name="state">The state the store holds.</param>
    /// <param name="remainingBreak">What is left of the break, for <see cref="CircuitState.Open"/>.</param>
    /// <param name="version">What <see cref="Version"/> returned before the store was asked.</param>
    /// <returns>True when the state was applied; false when a newer change came first.</returns>
    public bool ApplyStored(CircuitState state, TimeSpan remainingBreak, long version) => _breaker.ApplyRemote(state, remainingBreak, version);
}
