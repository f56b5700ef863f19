using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using System.Threading;

namespace Resilience;

/// <summary>
/// A named rate limit kept separately for each value of a <see cref="RateLimitKeyAttribute"/> parameter: one
/// <see cref="RateLimiterState"/> partition per key, all with the same settings. <see cref="ResilienceRegistry.KeyedRateLimiters"/>
/// lists them.
/// </summary>
/// <remarks>
/// Thread-safe. When the number of partitions doubles (from 1 024 on), partitions that are idle (fully refilled,
/// nobody waiting) are dropped: a new call with that key starts from a full limit, exactly as it would have found it.
/// </remarks>
public abstract class KeyedRateLimiterState
{
    private long _droppedRejections;

    private protected KeyedRateLimiterState(string name)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        Name = name;
    }

    /// <summary>The rate limit's name, which all its partitions share.</summary>
    public string Name { get; }

    /// <summary>The settings each partition has: the attribute's, with any given to <see cref="ResilienceRegistry.Configure"/> laid over them (a copy).</summary>
    public abstract RateLimitOptions Options { get; }

    /// <summary>Partitions held now.</summary>
    public abstract int PartitionCount { get; }

    /// <summary>True when the settings in force mark the limit <see cref="RateLimitOptions.Distributed"/>.</summary>
    public abstract bool IsDistributed { get; }

    /// <summary>
    /// A snapshot of the partitions held now, ordered by <see cref="RateLimiterState.Key"/>: each key's permits left
    /// (<see cref="RateLimiterState.GetLimitInfo"/>), calls waiting and rejections.
    /// </summary>
    public IReadOnlyList<RateLimiterState> Partitions => AllPartitions().OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The calls the limit rejected since it was created or its registry last reset: those of the partitions held now, and
    /// those of the partitions dropped as idle since, so that the count never goes back when idle keys are swept.
    /// </summary>
    public long RejectionCount
    {
        get
        {
            long total = Volatile.Read(ref _droppedRejections);
            foreach (RateLimiterState partition in AllPartitions())
            {
                total += partition.RejectionCount;
            }

            return total;
        }
    }

    /// <summary>The partitions held now, in no order.</summary>
    private protected abstract IEnumerable<RateLimiterState> AllPartitions();

    /// <summary>Keeps the rejections of a partition a sweep dropped.</summary>
    private protected void CountDropped(RateLimiterState partition) => Interlocked.Add(ref _droppedRejections, partition.RejectionCount);

    /// <summary>Forgets the rejections of dropped partitions, as the registry's reset drops every partition.</summary>
    private protected void ForgetDropped() => Volatile.Write(ref _droppedRejections, 0);
}

/// <summary>A <see cref="KeyedRateLimiterState"/> whose keys are of type <typeparamref name="TKey"/>.</summary>
/// <typeparam name="TKey">The key's type; keys are compared with <see cref="EqualityComparer{T}.Default"/>, and null is a key of its own.</typeparam>
/// <remarks>Finding an existing partition allocates nothing.</remarks>
public sealed class KeyedRateLimiterState<TKey> : KeyedRateLimiterState, IRegisteredRateLimit
{
    private const int FirstSweepAt = 1_024;

    /// <summary>How a null key is written in <see cref="RateLimiterState.Key"/>.</summary>
    private const string NullKeyText = "(null)";

    private readonly ResilienceRegistry _registry;
    private readonly RateLimitOptions _defaults;
    private readonly Action<RateLimiterState> _countDropped;
    private RateLimitOptions _options;
    private readonly ConcurrentDictionary<PartitionKey<TKey>, RateLimiterState> _partitions = new();
    private int _sweepAt = FirstSweepAt;

    internal KeyedRateLimiterState(ResilienceRegistry registry, string name, RateLimitOptions options, PolicySettings? settings = null)
        : base(name)
    {
        _registry = registry;
        _defaults = (options ?? throw new ArgumentNullException(nameof(options))).ValidatedCopy();
        _options = EffectiveOptions(settings);
        _countDropped = CountDropped;
    }

    /// <inheritdoc />
    public override RateLimitOptions Options => Volatile.Read(ref _options).Copy();

    /// <inheritdoc />
    public override int PartitionCount => _partitions.Count;

    /// <inheritdoc />
    public override bool IsDistributed => Volatile.Read(ref _options).Distributed;

    /// <summary>
    /// Where the limit of <paramref name="key"/> stands (see <see cref="RateLimiterState.GetLimitInfo"/>); a key with no
    /// partition on this instance is reported whole. Creates no partition.
    /// </summary>
    public RateLimitInfo GetLimitInfo(TKey key)
    {
        if (_partitions.TryGetValue(new PartitionKey<TKey>(key), out RateLimiterState? partition))
        {
            return partition.GetLimitInfo();
        }

        int permits = Volatile.Read(ref _options).Permits;
        return new RateLimitInfo(permits, permits, _registry.TimeProvider.GetUtcNow(), TimeSpan.Zero);
    }

    /// <summary>The partition of <paramref name="key"/>, created full if it does not exist.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public RateLimiterState GetPartition(TKey key)
    {
        if (ResilienceScope.AnyBegun && ResilienceScope.RegistryInsteadOf(_registry) is { } scoped)
        {
            // Inside a scope: the key's limit in the scope's registry.
            return scoped.GetOrAddKeyedRateLimiter<TKey>(Name, _defaults).GetPartition(key);
        }

        var wrapped = new PartitionKey<TKey>(key);
        if (_partitions.TryGetValue(wrapped, out RateLimiterState? partition))
        {
            return partition;
        }

        RateLimitOptions options = Volatile.Read(ref _options);
        partition = _partitions.GetOrAdd(wrapped, CreatePartition(key, options));
        RateLimitOptions current = Volatile.Read(ref _options);
        if (!ReferenceEquals(current, options))
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

    /// <inheritdoc />
    void IRegisteredRateLimit.RegisterLikeIn(ResilienceRegistry registry) => registry.GetOrAddKeyedRateLimiter<TKey>(Name, _defaults);

    /// <summary>Drops every partition, so each key starts again from a full limit.</summary>
    void IRegisteredRateLimit.Reset()
    {
        _partitions.Clear();
        ForgetDropped();
        Volatile.Write(ref _sweepAt, FirstSweepAt);
    }

    /// <summary>Lays <paramref name="settings"/> over the attribute's settings, for every partition and those to come; changed partitions start full.</summary>
    void IRegisteredRateLimit.Apply(PolicySettings? settings)
    {
        RateLimitOptions next = EffectiveOptions(settings);
        if (Volatile.Read(ref _options).SameAs(next))
        {
            return;
        }

        // A full fence before the partitions are listed: a partition added meanwhile is either listed, or its
        // maker sees these settings (see GetPartition).
        Interlocked.Exchange(ref _options, next);
        foreach (KeyValuePair<PartitionKey<TKey>, RateLimiterState> pair in _partitions)
        {
            pair.Value.Apply(next);
        }
    }

    /// <inheritdoc />
    private protected override IEnumerable<RateLimiterState> AllPartitions() => _partitions.Values;

    /// <summary>
    /// A new partition for <paramref name="key"/>, which sends a caller still holding it after a sweep dropped it to the
    /// key's partition then. Apart from <see cref="GetPartition"/>, so that its closure is made only here.
    /// </summary>
    private RateLimiterState CreatePartition(TKey key, RateLimitOptions options)
    {
        var partition = new RateLimiterState(_registry, Name, options, settings: null, KeyText(key));
        partition.FollowWhenRetired(() => GetPartition(key));
        return partition;
    }

    /// <summary>The key as <see cref="RateLimiterState.Key"/> writes it.</summary>
    private static string KeyText(TKey key) => key?.ToString() ?? NullKeyText;

    /// <summary>The attribute's settings with <paramref name="settings"/> laid over them, checked; the attribute's alone when none are given.</summary>
    private RateLimitOptions EffectiveOptions(PolicySettings? settings)
        => settings is { HasRateLimitSettings: true } ? settings.ApplyTo(_defaults).ValidatedCopy() : _defaults;

    /// <summary>Drops idle partitions, except <paramref name="keep"/>: it is idle because it is new, and its caller is about to use it.</summary>
    private void Sweep(RateLimiterState keep)
        => Volatile.Write(ref _sweepAt, PartitionRetirement<RateLimiterState>.Sweep(_partitions, keep, FirstSweepAt, _countDropped));
}
