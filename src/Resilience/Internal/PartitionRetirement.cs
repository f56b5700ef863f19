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
/// other, with a full fence between each one's write and read. A partition that turns out busy is kept (and unmarked).
/// A caller that sees the mark while the partition is still the key's waits for the sweep to decide (it is between its
/// mark and its removal): kept, what it recorded stands; dropped, it records in the key's new partition too. Sweeps may
/// run at once: the mark counts the sweeps that hold it, so that one that finds the partition busy does not take back
/// the mark of one that dropped it. A mutable struct: keep it in a field that is not readonly.
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
    public void Mark() => Interlocked.Increment(ref _retired);

    /// <summary>Takes this sweep's mark back: the partition turned out busy and is kept.</summary>
    public void Unmark() => Interlocked.Decrement(ref _retired);

    /// <summary>True when the partition is marked dropped and has somewhere to send its callers.</summary>
    public bool IsRetired => Volatile.Read(ref _retired) != 0 && _successor is not null;

    /// <summary>
    /// The key's partition now, when a sweep dropped <paramref name="self"/>; null when it is not marked, or is kept after
    /// all. While a sweep has marked it but not yet removed it (it is still the key's partition), waits for the sweep to
    /// decide. The caller must have made what it recorded visible (a full fence) before asking.
    /// </summary>
    public TPartition? SuccessorOf(TPartition self)
    {
        if (!IsRetired)
        {
            return null;
        }

        SpinWait spin = default;
        while (true)
        {
            TPartition next = _successor!();
            if (!ReferenceEquals(next, self))
            {
                return next;
            }

            if (Volatile.Read(ref _retired) == 0)
            {
                return null;
            }

            spin.SpinOnce();
        }
    }

    /// <summary>
    /// Drops the idle partitions of <paramref name="partitions"/>, except <paramref name="keep"/> (idle because it is new,
    /// its caller is about to use it), and answers the partition count at which the next sweep should run: twice what is
    /// left, and at least <paramref name="firstSweepAt"/>. <paramref name="dropped"/>, when given, is told of each partition
    /// dropped.
    /// </summary>
    public static int Sweep<TKey>(ConcurrentDictionary<PartitionKey<TKey>, TPartition> partitions, TPartition keep, int firstSweepAt, Action<TPartition>? dropped = null)
    {
        foreach (KeyValuePair<PartitionKey<TKey>, TPartition> pair in partitions)
        {
            if (!ReferenceEquals(pair.Value, keep)
                && pair.Value.TryRetire()
                && ((ICollection<KeyValuePair<PartitionKey<TKey>, TPartition>>)partitions).Remove(pair))
            {
                pair.Value.OnDropped();
                dropped?.Invoke(pair.Value);
            }
        }

        return Math.Max(firstSweepAt, partitions.Count * 2);
    }
}
