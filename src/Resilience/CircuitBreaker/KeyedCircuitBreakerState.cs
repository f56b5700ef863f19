using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Threading;

namespace Resilience;

/// <summary>
/// A named circuit breaker kept separately for each value of a <see cref="CircuitBreakerKeyAttribute"/> parameter:
/// one <see cref="CircuitBreakerState"/> partition per key, all with the same settings. Obtain it from
/// <see cref="ResilienceRegistry.KeyedCircuitBreaker(string)"/>.
/// </summary>
/// <remarks>
/// Thread-safe. When the number of partitions doubles (from 1 024 on), idle partitions are dropped: closed, no
/// probe in flight, and no failure for longer than the break and the sampling window. A new call with that key
/// starts from a closed breaker, as it would have found it.
/// </remarks>
public abstract class KeyedCircuitBreakerState
{
    /// <summary>
    /// The most partitions that are not closed whose state the meter reports one by one (with a
    /// <c>resilience.circuit_breaker.key</c> tag) for one keyed breaker: 100. Beyond that only the counts per state
    /// are reported, so that a large key space cannot flood the metrics backend.
    /// </summary>
    public const int MaxReportedPartitions = 100;

    private PolicySettings? _settings;

    private protected KeyedCircuitBreakerState(string name, CircuitBreakerOptions options, PolicySettings? settings)
    {
        _settings = settings;
        Guard.NotNullOrEmpty(name, nameof(name));
        Name = name;
        Defaults = (options ?? throw new ArgumentNullException(nameof(options))).ValidatedCopy();
    }

    /// <summary>The breaker's name, which all its partitions share.</summary>
    public string Name { get; }

    /// <summary>The settings each partition has: the attribute's, with any given to <see cref="ResilienceRegistry.Configure"/> laid over them (a copy).</summary>
    public CircuitBreakerOptions Options
    {
        get
        {
            PolicySettings? settings = CurrentSettings;
            return settings is { HasCircuitBreakerSettings: true } ? settings.ApplyTo(Defaults).ValidatedCopy() : Defaults.Copy();
        }
    }

    /// <summary>Partitions held now.</summary>
    public abstract int PartitionCount { get; }

    /// <summary>A snapshot of the partitions held now, ordered by <see cref="CircuitBreakerState.Key"/>.</summary>
    public IReadOnlyList<CircuitBreakerState> Partitions
        => AllPartitions().OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();

    /// <summary>The attribute's settings, checked; what every partition is created with.</summary>
    private protected CircuitBreakerOptions Defaults { get; }

    /// <summary>The settings given to <see cref="ResilienceRegistry.Configure"/> for this name; null for none.</summary>
    private protected PolicySettings? CurrentSettings => Volatile.Read(ref _settings);

    /// <summary>Counts the partitions in each state, for the meter and the health checks.</summary>
    public IReadOnlyDictionary<CircuitState, int> CountByState()
    {
        var counts = new Dictionary<CircuitState, int>
        {
            [CircuitState.Closed] = 0,
            [CircuitState.Open] = 0,
            [CircuitState.HalfOpen] = 0,
            [CircuitState.Isolated] = 0,
        };
        foreach (CircuitBreakerState partition in AllPartitions())
        {
            counts[partition.State]++;
        }

        return counts;
    }

    /// <summary>
    /// The partitions that are not closed, ordered by key, at most <paramref name="limit"/> of them: what a health
    /// check or a dashboard shows.
    /// </summary>
    /// <param name="limit">The most partitions to return; at least 0.</param>
    public IReadOnlyList<CircuitBreakerState> NotClosedPartitions(int limit = MaxReportedPartitions)
    {
        if (limit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must be 0 or more.");
        }

        return AllPartitions().Where(p => p.State != CircuitState.Closed).OrderBy(p => p.Key, StringComparer.Ordinal).Take(limit).ToArray();
    }

    /// <summary>Drops every partition: each key starts again from a closed breaker with no failures counted.</summary>
    public abstract void Reset();

    /// <summary>Every partition, in no order.</summary>
    internal abstract IEnumerable<CircuitBreakerState> AllPartitions();

    /// <summary>Registers a keyed breaker of the same name, key type and attribute settings in <paramref name="registry"/>.</summary>
    internal abstract void RegisterLikeIn(ResilienceRegistry registry);

    /// <summary>Lays <paramref name="settings"/> over the attribute's settings, for every partition and those to come.</summary>
    internal void Apply(PolicySettings? settings)
    {
        // A full fence before the partitions are listed: a partition added meanwhile is either listed, or its maker
        // sees these settings (see KeyedCircuitBreakerState<TKey>.GetPartition).
        Interlocked.Exchange(ref _settings, settings);
        foreach (CircuitBreakerState partition in AllPartitions())
        {
            partition.Apply(settings);
        }
    }
}

/// <summary>A <see cref="KeyedCircuitBreakerState"/> whose keys are of type <typeparamref name="TKey"/>.</summary>
/// <typeparam name="TKey">The key's type; keys are compared with <see cref="EqualityComparer{T}.Default"/>, and null is a key of its own.</typeparam>
/// <remarks>Finding an existing partition allocates nothing.</remarks>
public sealed class KeyedCircuitBreakerState<TKey> : KeyedCircuitBreakerState
{
    private const int FirstSweepAt = 1_024;

    /// <summary>How a null key is written in <see cref="CircuitBreakerState.Key"/>.</summary>
    private const string NullKeyText = "(null)";

    private readonly ResilienceRegistry _registry;
    private readonly ConcurrentDictionary<PartitionKey<TKey>, CircuitBreakerState> _partitions = new();
    private int _sweepAt = FirstSweepAt;

    internal KeyedCircuitBreakerState(ResilienceRegistry registry, string name, CircuitBreakerOptions options, PolicySettings? settings = null)
        : base(name, options, settings)
    {
        _registry = registry;
    }

    /// <inheritdoc />
    public override int PartitionCount => _partitions.Count;

    /// <summary>The partition of <paramref name="key"/>, created closed if it does not exist.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public CircuitBreakerState GetPartition(TKey key)
    {
        if (ResilienceScope.AnyBegun && ResilienceScope.RegistryInsteadOf(_registry) is { } scoped)
        {
            // Inside a scope: the key's breaker in the scope's registry.
            return scoped.GetOrAddKeyedCircuitBreaker<TKey>(Name, Defaults).GetPartition(key);
        }

        var wrapped = new PartitionKey<TKey>(key);
        if (_partitions.TryGetValue(wrapped, out CircuitBreakerState? partition))
        {
            return partition;
        }

        PolicySettings? settings = CurrentSettings;
        partition = _partitions.GetOrAdd(wrapped, CreatePartition(key, settings));
        partition.UpdateDistribution();
        PolicySettings? current = CurrentSettings;
        if (!ReferenceEquals(current, settings))
        {
            // Configure replaced the settings while this partition was being made, and may have missed it.
            partition.Apply(current);
        }

        if (_partitions.Count >= Volatile.Read(ref _sweepAt))
        {
            Sweep(keep: partition);
        }

        return partition;
    }

    /// <summary>Looks up the partition of <paramref name="key"/> without creating it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="partition">The partition, when it exists.</param>
    /// <returns>True when a partition exists for the key.</returns>
    public bool TryGetPartition(TKey key, [NotNullWhen(true)] out CircuitBreakerState? partition)
        => _partitions.TryGetValue(new PartitionKey<TKey>(key), out partition);

    /// <inheritdoc />
    public override void Reset()
    {
        _partitions.Clear();
        Volatile.Write(ref _sweepAt, FirstSweepAt);
    }

    /// <inheritdoc />
    internal override void RegisterLikeIn(ResilienceRegistry registry) => registry.GetOrAddKeyedCircuitBreaker<TKey>(Name, Defaults);

    /// <inheritdoc />
    internal override IEnumerable<CircuitBreakerState> AllPartitions()
    {
        foreach (KeyValuePair<PartitionKey<TKey>, CircuitBreakerState> pair in _partitions)
        {
            yield return pair.Value;
        }
    }

    /// <summary>
    /// A new partition for <paramref name="key"/>, which sends a failure recorded after a sweep dropped it to the key's
    /// partition then. Apart from <see cref="GetPartition"/>, so that its closure is made only here.
    /// </summary>
    private CircuitBreakerState CreatePartition(TKey key, PolicySettings? settings)
    {
        var partition = new CircuitBreakerState(_registry, Name, Defaults, settings, KeyText(key));
        partition.FollowWhenRetired(() => GetPartition(key));
        return partition;
    }

    /// <summary>The key as <see cref="CircuitBreakerState.Key"/> shows it.</summary>
    private static string KeyText(TKey key) => key?.ToString() ?? NullKeyText;

    /// <summary>Drops idle partitions, except <paramref name="keep"/>: it is idle because it is new, and its caller is about to use it.</summary>
    private void Sweep(CircuitBreakerState keep)
        => Volatile.Write(ref _sweepAt, PartitionRetirement<CircuitBreakerState>.Sweep(_partitions, keep, FirstSweepAt));
}
