using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace Resilience;

/// <summary>
/// The last good result per key, with the time it was stored, bounded to a number of keys: when a new key would go
/// beyond it, the expired entries go, then, if that is not enough, the oldest tenth.
/// </summary>
/// <remarks>
/// Thread-safe. Replacing the result of a key already kept is one allocation (the entry) and no lock; only adding a key
/// to a full table takes the eviction lock. The count is reserved before a key is added, so the table never holds more
/// than its bound.
/// </remarks>
internal sealed class ResultTable<TKey, TResult>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    private readonly object _evictionGate = new();
    private int _count;

    /// <summary>Keys kept now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Keeps <paramref name="result"/> for <paramref name="key"/>, stored at <paramref name="now"/>.</summary>
    /// <param name="key">The arguments.</param>
    /// <param name="result">The good result.</param>
    /// <param name="now">The clock's ticks now.</param>
    /// <param name="maxEntries">The most keys kept.</param>
    /// <param name="liveFrom">The first tick of the results still alive: those stored earlier are expired, and go first when room is needed.</param>
    public void Set(TKey key, TResult result, long now, int maxEntries, long liveFrom)
    {
        var entry = new Entry(result, now);
        while (true)
        {
            if (_entries.TryGetValue(key, out Entry? existing))
            {
                if (_entries.TryUpdate(key, entry, existing))
                {
                    return;
                }

                continue;
            }

            if (!TryReserve(maxEntries))
            {
                MakeRoom(maxEntries, liveFrom);
                continue;
            }

            if (_entries.TryAdd(key, entry))
            {
                return;
            }

            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>
    /// Counts one more key unless the table is full; the count never goes above <paramref name="maxEntries"/>, not even for a
    /// moment, so that <see cref="Count"/> read on another thread never shows more.
    /// </summary>
    private bool TryReserve(int maxEntries)
    {
        int count = Volatile.Read(ref _count);
        while (count < maxEntries)
        {
            int seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }

    /// <summary>The result kept for <paramref name="key"/> if it was stored at or after <paramref name="liveFrom"/>; an expired one is removed.</summary>
    public bool TryGet(TKey key, long liveFrom, out TResult result)
    {
        if (_entries.TryGetValue(key, out Entry? entry))
        {
            if (entry.StoredAt >= liveFrom)
            {
                result = entry.Result;
                return true;
            }

            Remove(new KeyValuePair<TKey, Entry>(key, entry));
        }

        result = default!;
        return false;
    }

    /// <summary>Forgets every result.</summary>
    public void Clear()
    {
        foreach (KeyValuePair<TKey, Entry> pair in _entries)
        {
            Remove(pair);
        }
    }

    /// <summary>Removes the expired entries; if the table is still full, the oldest tenth of it (at least one).</summary>
    private void MakeRoom(int maxEntries, long liveFrom)
    {
        lock (_evictionGate)
        {
            if (Volatile.Read(ref _count) < maxEntries)
            {
                return;
            }

            var live = new List<KeyValuePair<TKey, Entry>>(Math.Min(maxEntries, _entries.Count));
            foreach (KeyValuePair<TKey, Entry> pair in _entries)
            {
                if (pair.Value.StoredAt < liveFrom)
                {
                    Remove(pair);
                }
                else
                {
                    live.Add(pair);
                }
            }

            if (Volatile.Read(ref _count) < maxEntries)
            {
                return;
            }

            live.Sort(static (a, b) => a.Value.StoredAt.CompareTo(b.Value.StoredAt));
            int excess = Volatile.Read(ref _count) - maxEntries + 1;
            int evicted = Math.Min(live.Count, Math.Max(excess, maxEntries / 10));
            for (int i = 0; i < evicted; i++)
            {
                Remove(live[i]);
            }
        }
    }

    /// <summary>Removes the entry if the key still holds it (a newer result is left alone).</summary>
    private void Remove(KeyValuePair<TKey, Entry> pair)
    {
        if (((ICollection<KeyValuePair<TKey, Entry>>)_entries).Remove(pair))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>A result and when it was stored; replaced whole, never changed, so that a reader sees both or neither.</summary>
    private sealed class Entry
    {
        public Entry(TResult result, long storedAt)
        {
            Result = result;
            StoredAt = storedAt;
        }

        public TResult Result { get; }

        public long StoredAt { get; }
    }
}
