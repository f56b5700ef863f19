using System.Collections.Concurrent;

namespace Resilience.Tests.Internal;

/// <summary>
/// A caller holding a partition that a sweep has marked, but not yet removed, waits for the sweep's decision: sent to the
/// key's new partition when the sweep drops it, left where it is when the sweep keeps it.
/// </summary>
public sealed class PartitionRetirementTests
{
    private readonly ConcurrentDictionary<PartitionKey<string>, Partition> _partitions = new();

    [Fact]
    public async Task A_caller_that_asks_while_a_sweep_is_deciding_is_sent_to_the_keys_new_partition_once_it_drops_the_old()
    {
        var decided = new ManualResetEventSlim();
        Partition old = Add("a", idle: true, beforeDeciding: decided);
        Task sweep = Task.Run(() => PartitionRetirement<Partition>.Sweep(_partitions, keep: new Partition(), firstSweepAt: 1));
        Assert.True(old.Marked.Wait(TestSupport.HangGuard), "The sweep did not mark the partition.");

        // The caller asks while the partition is marked and still the key's; the sweep decides only once it has asked.
        Task<Partition?> asking = Task.Run(() => old.Retirement.SuccessorOf(old));
        Assert.True(old.SuccessorAsked.Wait(TestSupport.HangGuard), "The caller did not ask for the key's partition.");
        decided.Set();
        await sweep.WaitAsync(TestSupport.HangGuard);
        Partition? successor = await asking.Guarded();

        Assert.NotNull(successor);
        Assert.NotSame(old, successor);
        Assert.True(_partitions.TryGetValue(new PartitionKey<string>("a"), out Partition? now));
        Assert.Same(now, successor);
        Assert.True(old.Dropped);
    }

    [Fact]
    public async Task A_caller_that_asks_while_a_sweep_is_deciding_stays_on_the_partition_the_sweep_keeps()
    {
        var decided = new ManualResetEventSlim();
        Partition busy = Add("a", idle: false, beforeDeciding: decided);
        Task sweep = Task.Run(() => PartitionRetirement<Partition>.Sweep(_partitions, keep: new Partition(), firstSweepAt: 1));
        Assert.True(busy.Marked.Wait(TestSupport.HangGuard), "The sweep did not mark the partition.");

        Task<Partition?> asking = Task.Run(() => busy.Retirement.SuccessorOf(busy));
        Assert.True(busy.SuccessorAsked.Wait(TestSupport.HangGuard), "The caller did not ask for the key's partition.");
        decided.Set();
        await sweep.WaitAsync(TestSupport.HangGuard);

        Assert.Null(await asking.Guarded());
        Assert.False(busy.Dropped);
        Assert.True(_partitions.TryGetValue(new PartitionKey<string>("a"), out Partition? now));
        Assert.Same(busy, now);
    }

    private Partition Add(string key, bool idle, ManualResetEventSlim beforeDeciding)
    {
        var partition = new Partition { Idle = idle, BeforeDeciding = beforeDeciding };
        partition.Retirement.FollowWhenRetired(() =>
        {
            // The key's new partition is in use by the caller: busy, so that the sweep still running keeps it.
            Partition current = _partitions.GetOrAdd(new PartitionKey<string>(key), static _ => new Partition { Idle = false });
            partition.SuccessorAsked.Set();
            return current;
        });
        Assert.True(_partitions.TryAdd(new PartitionKey<string>(key), partition));
        return partition;
    }

    /// <summary>A partition whose sweep, once it has marked it, waits for the test before it reads its idleness.</summary>
    private sealed class Partition : IRetirablePartition
    {
        // A mutable struct, used in place.
        public PartitionRetirement<Partition> Retirement;

        public bool Idle { get; init; } = true;

        public ManualResetEventSlim? BeforeDeciding { get; init; }

        public ManualResetEventSlim Marked { get; } = new();

        public ManualResetEventSlim SuccessorAsked { get; } = new();

        public bool Dropped { get; private set; }

        public bool TryRetire()
        {
            Retirement.Mark();
            Marked.Set();
            if (BeforeDeciding is { } decided)
            {
                Assert.True(decided.Wait(TestSupport.HangGuard), "The test did not let the sweep decide.");
            }

            if (Idle)
            {
                return true;
            }

            Retirement.Unmark();
            return false;
        }

        public void OnDropped() => Dropped = true;
    }
}
