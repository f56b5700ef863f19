using System;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// Where policies marked <c>Distributed</c> keep the state every instance of a service shares: their rate limits' permits
/// and their circuit breakers' state. The <c>Resilience.Generators.Redis</c> package implements it on Redis; register
/// one with <see cref="ResilienceRegistry.UseDistributedStore"/>.
/// </summary>
/// <remarks>
/// <para>
/// An implementation must be thread-safe, must not make a caller wait longer than its own operation timeout, and reports
/// that the shared state cannot be reached by returning <see cref="DistributedAcquireResult.Unavailable"/> (or throwing:
/// the runtime turns any exception other than the caller's cancellation into the same). The policy then decides on its
/// local state for that call.
/// </para>
/// <para>The circuit-breaker members are called outside the breaker's lock and must not block.</para>
/// </remarks>
public interface IDistributedResilienceStore
{
    /// <summary>What the store is, for logs and health checks: <c>Redis 127.0.0.1:6379, prefix 'resilience'</c>.</summary>
    string Description { get; }

    /// <summary>True while the shared state is reachable; false while policies fall back to their local state.</summary>
    bool IsAvailable { get; }

    /// <summary>
    /// Takes up to <paramref name="permits"/> permits of a shared rate limit in one operation, atomically and on the
    /// store's clock: as many as are free, at most that many. More than one is asked for by a limit with a
    /// <see cref="RateLimitOptions.DistributedBatch"/>, which hands the rest out itself.
    /// </summary>
    /// <param name="policyName">The rate limit's name.</param>
    /// <param name="partitionKey">The <see cref="RateLimitKeyAttribute"/> value as text; null for a limit not kept per key.</param>
    /// <param name="options">The limit's settings (do not change them).</param>
    /// <param name="permits">The most permits to take; at least 1.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>
    /// How many permits were taken (<see cref="DistributedAcquireResult.Granted"/>) and where the limit stands, or
    /// <see cref="DistributedAcquireResult.Unavailable"/>. Give <see cref="RateLimitInfo.ResetAt"/> on the registry's
    /// <see cref="ResilienceRegistry.TimeProvider"/>, which the limit compares it with, not on the store's clock.
    /// </returns>
    ValueTask<DistributedAcquireResult> TryAcquireAsync(string policyName, string? partitionKey, RateLimitOptions options, int permits, CancellationToken cancellationToken);

    /// <summary>
    /// Starts telling <paramref name="circuit"/> of the changes of state other instances make to the breaker of its name and
    /// key, and of the state the breaker has now in the store (a new instance learns of a break in progress). Dispose the
    /// result to stop.
    /// </summary>
    IDisposable Watch(DistributedCircuit circuit);

    /// <summary>
    /// Tells every instance that the breaker entered <paramref name="state"/>: open for <paramref name="breakDuration"/>,
    /// isolated until reset, or closed. Returns at once; the store publishes in the background.
    /// </summary>
    void Publish(DistributedCircuit circuit, CircuitState state, TimeSpan breakDuration);

    /// <summary>
    /// Asks for the right to probe the half-open breaker, held for at most <paramref name="lease"/>: only one instance
    /// holds it at a time. False when another instance holds it; true as well when the store cannot be reached (the
    /// instance then decides alone). The breaker asks in the background, never on a caller's thread.
    /// </summary>
    Task<bool> TryTakeProbeLeaseAsync(DistributedCircuit circuit, TimeSpan lease);

    /// <summary>Gives the probe lease back once the probe has decided. Returns at once.</summary>
    void ReleaseProbeLease(DistributedCircuit circuit);
}
