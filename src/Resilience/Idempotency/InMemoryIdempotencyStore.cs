using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// The default <see cref="IIdempotencyStore"/>: results kept in this process, each until its time to live has
/// passed on the clock given (by default the registry's <see cref="ResilienceRegistry.TimeProvider"/>, so that a fake
/// clock drives expiry in tests), and at most <see cref="MaxEntries"/> of them: when a new one would pass the bound,
/// the oldest ones are dropped, expired ones first.
/// </summary>
/// <remarks>
/// Answers repeats that land on this process only; use the Redis package's store for a fleet. Results are kept as the
/// JSON bytes a shared store would keep, so that a type a shared store would refuse is refused here too, and every
/// caller gets its own copy of a result. Thread-safe.
/// </remarks>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore
{
    /// <summary>The default bound on stored results: 10 000.</summary>
    public const int DefaultMaxEntries = 10_000;

    private readonly object _gate = new();
    private readonly Dictionary<(string Policy, string Key), Entry> _entries = new();

    // The stored results, oldest first; claims are not in it, as a claim is never dropped to make room.
    private readonly LinkedList<(string Policy, string Key)> _age = new();
    private readonly ResilienceRegistry? _registry;
    private readonly TimeProvider? _timeProvider;

    /// <summary>A store of at most <paramref name="maxEntries"/> results, on <paramref name="timeProvider"/>'s clock.</summary>
    /// <param name="maxEntries">The most results kept at once; at least 1.</param>
    /// <param name="timeProvider">The clock expiry is measured on; null for <see cref="ResilienceRegistry.Default"/>'s.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEntries"/> is less than 1.</exception>
    public InMemoryIdempotencyStore(int maxEntries = DefaultMaxEntries, TimeProvider? timeProvider = null)
    {
        Guard.AtLeast(maxEntries, 1, nameof(maxEntries));
        MaxEntries = maxEntries;
        _timeProvider = timeProvider;
        _registry = timeProvider is null ? ResilienceRegistry.Default : null;
    }

    /// <summary>The registry's own store, on its clock.</summary>
    internal InMemoryIdempotencyStore(ResilienceRegistry registry)
    {
        MaxEntries = DefaultMaxEntries;
        _registry = registry;
    }

    /// <summary>The most results kept at once.</summary>
    public int MaxEntries { get; }

    /// <summary>
    /// How long a claim is held before it is taken for abandoned (its caller's process stopped without saying how the call
    /// ended) and the key can be claimed again: one minute.
    /// </summary>
    public static TimeSpan ClaimTimeout { get; } = TimeSpan.FromMinutes(1);

    /// <summary>The results kept now, expired ones not yet dropped included.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _age.Count;
            }
        }
    }

    private DateTimeOffset Now => (_timeProvider ?? _registry!.TimeProvider).GetUtcNow();

    /// <inheritdoc />
    public ValueTask<IdempotencyClaim> TryClaimAsync(string policy, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset now = Now;
        lock (_gate)
        {
            if (_entries.TryGetValue((policy, key), out Entry? entry) && entry.ExpiresAt > now)
            {
                return new(entry.Result is { } result ? IdempotencyClaim.Stored(result) : IdempotencyClaim.InProgress);
            }

            if (entry is not null)
            {
                RemoveLocked(entry);
            }

            _entries[(policy, key)] = new Entry((policy, key), result: null, now + ClaimTimeout);
            return new(IdempotencyClaim.Claimed);
        }
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(string policy, string key, byte[] result, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        if (result is null)
        {
            throw new ArgumentNullException(nameof(result));
        }

        DateTimeOffset now = Now;
        lock (_gate)
        {
            if (_entries.TryGetValue((policy, key), out Entry? existing))
            {
                RemoveLocked(existing);
            }

            MakeRoomLocked(now);
            var entry = new Entry((policy, key), result, now + timeToLive);
            entry.Age = _age.AddLast(entry.Id);
            _entries[entry.Id] = entry;
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(string policy, string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue((policy, key), out Entry? entry) && entry.Result is null)
            {
                RemoveLocked(entry);
            }
        }

        return default;
    }

    /// <summary>Reads the stored result of <paramref name="key"/> without claiming it.</summary>
    /// <param name="policy">The policy the key belongs to.</param>
    /// <param name="key">The key.</param>
    /// <param name="result">The result as UTF-8 JSON, when one is stored and has not expired.</param>
    /// <returns>True when a result is stored.</returns>
    public bool TryGet(string policy, string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? result)
    {
        DateTimeOffset now = Now;
        lock (_gate)
        {
            if (_entries.TryGetValue((policy, key), out Entry? entry) && entry.Result is { } stored && entry.ExpiresAt > now)
            {
                result = stored;
                return true;
            }
        }

        result = null;
        return false;
    }

    /// <summary>Drops every result and claim.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _age.Clear();
        }
    }

    /// <summary>
    /// Drops the expired entries at the old end, then, while the store is full, the oldest ones. Entries are kept in the
    /// order they were stored, so a time-to-live shared by a policy makes the old end the first to expire; an expired
    /// entry behind a live one (a shorter time-to-live) goes when it reaches that end, and is never answered meanwhile.
    /// Each entry is looked at once on its way out, so a save into a full store costs the same as one into an empty store.
    /// </summary>
    private void MakeRoomLocked(DateTimeOffset now)
    {
        while (_age.First is { } oldest && _entries[oldest.Value].ExpiresAt <= now)
        {
            RemoveLocked(_entries[oldest.Value]);
        }

        while (_age.Count >= MaxEntries)
        {
            RemoveLocked(_entries[_age.First!.Value]);
        }
    }

    private void RemoveLocked(Entry entry)
    {
        _entries.Remove(entry.Id);
        if (entry.Age is { } age)
        {
            _age.Remove(age);
            entry.Age = null;
        }
    }

    /// <summary>A stored result, or a claim (no result) that expires after <see cref="ClaimTimeout"/>.</summary>
    private sealed class Entry
    {
        public Entry((string Policy, string Key) id, byte[]? result, DateTimeOffset expiresAt)
        {
            Id = id;
            Result = result;
            ExpiresAt = expiresAt;
        }

        public (string Policy, string Key) Id { get; }

        public byte[]? Result { get; }

        public DateTimeOffset ExpiresAt { get; }

        public LinkedListNode<(string Policy, string Key)>? Age { get; set; }
    }
}
