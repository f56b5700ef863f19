using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace Resilience;

/// <summary>
/// A partition of a policy kept per key (<see cref="KeyedRateLimiterState{TKey}"/>, <see cref="KeyedCircuitBreakerState{TKey}"/>)
/// that a sweep may drop once it is idle.
/// </summary>
internal interface IRetirablePartition
{
    /// <summary>
    /// Marks the partition as dropped if it is idle, and says whether it was (see <see cref="PartitionRetirement{TPartition}"/>):
    /// the mark first, the idleness read after it.
    /// </summary>
    bool TryRetire();

    /// <summary>Called once the sweep has taken the retired partition out of its dictionary.</summary>
    void OnDropped();
}

/// <summary>
/// The mark a sweep puts on an idle partition before it drops it, and where a caller that fetched the partition just
/// before goes instead: the key's partition now.
/// </summary>
/// <remarks>
/// A caller that fetched a partition may use it after a sweep has dropped it, while the key's next caller gets a new
/// partition; what the first caller records (a permit taken, a failure) would be lost. So the sweep marks the partition
/// first and reads its idleness after, and the caller records first and reads the mark after: one of the two sees the
/// other, with a full fence between each one's write and read. A partition that turns out busy is kept (and unmarked);
/// a caller that saw the mark of a partition kept after all records in the key's partition, which is then this one,
/// and <see cref="SuccessorOf"/> answers null for it. A mutable struct: keep it in a field that is not readonly.
/// </remarks>
/// <typeparam name="TPartition">The partition's type.</typeparam>
internal struct PartitionRetirement<TPartition>
    where TPartition : class, IRetirablePartition
{
    private int _retired;
    private Func<TPartition>? _successor;

    /// <summary>Says where the key's partition is found once this one is dropped; set once, before the partition is shared.</summary>
    public void FollowWhenRetired(Func<TPartition> successor) => _successor = successor;

    /// <summary>Marks the partition as dropped, with a full fence, before its idleness is read.</summary>
    public void Mark() => Interlocked.Exchange(ref _retired, 1);

    /// <summary>Takes the mark back: the partition turned out busy and is kept.</summary>
    public void Unmark() => Volatile.Write(ref _retired, 0);

    /// <summary>True when the partition is marked dropped and has somewhere to send its callers.</summary>
    public bool IsRetired => Volatile.Read(ref _retired) != 0 && _successor is not null;

    /// <summary>
    /// The key's partition now, when <paramref name="self"/> is marked dropped and the key has another one; null
    /// otherwise. The caller must have made what it recorded visible (a full fence) before asking.
    /// </summary>
    public TPartition? SuccessorOf(TPartition self)
    {
        if (!IsRetired)
        {
            return null;
        }

        TPartition next = _successor!();
        return ReferenceEquals(next, self) ? null : next;
    }

    /// <summary>
    /// Drops the idle partitions of <paramref name="partitions"/>, except <paramref name="keep"/> (idle because it is new,
    /// its caller is about to use it), and answers the partition count at which the next sweep should run: twice what is
    /// left, and at least <paramref name="firstSweepAt"/>.
    /// </summary>
    public static int Sweep<TKey>(ConcurrentDictionary<PartitionKey<TKey>, TPartition> partitions, TPartition keep, int firstSweepAt)
    {
        foreach (KeyValuePair<PartitionKey<TKey>, TPartition> pair in partitions)
        {
            if (!ReferenceEquals(pair.Value, keep)
                && pair.Value.TryRetire()
                && ((ICollection<KeyValuePair<PartitionKey<TKey>, TPartition>>)partitions).Remove(pair))
            {
                pair.Value.OnDropped();
            }
        }

        return Math.Max(firstSweepAt, partitions.Count * 2);
    }
}
