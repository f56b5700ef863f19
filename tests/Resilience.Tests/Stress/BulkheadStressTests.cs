namespace Resilience.Tests.Stress;

// Many threads on one bulkhead. Each test checks invariants that hold whatever the scheduling: how many calls are
// inside at once, that every call is accounted for, and that the whole capacity is there again afterwards.
// Bounded by a number of calls, not by time, so a slow machine only makes them slower.
[Collection(StressCollection.Name)]
public sealed class BulkheadStressTests
{
    private const int Threads = 8;

    private readonly ResilienceRegistry _registry = TestSupport.CreateRegistry(out _);

    [Fact]
    public void Blocking_callers_never_exceed_the_limit_and_every_call_enters_when_the_queue_holds_them_all()
    {
        const int Limit = 3;
        const int CallsEach = 2_000;
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("stress", new BulkheadOptions { MaxConcurrency = Limit, MaxQueue = Threads });
        int inside = 0;
        int mostInside = 0;
        long entered = 0;

        TestSupport.RunOnThreads(Threads, _ =>
        {
            for (int i = 0; i < CallsEach; i++)
            {
                Assert.True(bulkhead.Enter(CancellationToken.None), "A call was rejected although the queue had room for every thread.");
                int now = Interlocked.Increment(ref inside);
                InterlockedMax(ref mostInside, now);
                Interlocked.Increment(ref entered);
                Interlocked.Decrement(ref inside);
                bulkhead.Release();
            }
        });

        Assert.InRange(mostInside, 1, Limit);
        Assert.Equal(Threads * CallsEach, entered);
        Assert.Equal(0, bulkhead.RejectionCount);
        AssertFullCapacity(bulkhead, Limit);
    }

    [Fact]
    public async Task Entered_plus_rejected_adds_up_to_the_calls_made_with_a_small_queue()
    {
        const int Limit = 2;
        const int CallsEach = 1_000;
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("stress", new BulkheadOptions { MaxConcurrency = Limit, MaxQueue = 1 });
        int inside = 0;
        int mostInside = 0;
        long entered = 0;
        long rejected = 0;

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < CallsEach; i++)
            {
                if (!await bulkhead.EnterAsync(CancellationToken.None))
                {
                    Interlocked.Increment(ref rejected);
                    continue;
                }

                InterlockedMax(ref mostInside, Interlocked.Increment(ref inside));
                Interlocked.Increment(ref entered);
                if (i % 7 == 0)
                {
                    await Task.Yield();
                }

                Interlocked.Decrement(ref inside);
                bulkhead.Release();
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.InRange(mostInside, 1, Limit);
        Assert.Equal(Threads * CallsEach, entered + rejected);
        Assert.Equal(rejected, bulkhead.RejectionCount);
        AssertFullCapacity(bulkhead, Limit);
    }

    [Fact]
    public async Task No_slot_is_lost_when_callers_cancel_at_every_point()
    {
        const int Limit = 2;
        const int CallsEach = 600;
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("stress", new BulkheadOptions { MaxConcurrency = Limit, MaxQueue = 4 });
        int inside = 0;
        int mostInside = 0;
        long outcomes = 0;

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(async () =>
        {
            for (int i = 0; i < CallsEach; i++)
            {
                using var caller = new CancellationTokenSource();
                // The point at which this call's caller cancels: before it asks, while it waits or is handed a slot
                // (from another thread), just after it asked, or while it holds the slot.
                int point = (i + thread) % 5;
                if (point == 0)
                {
                    caller.Cancel();
                }

                Task cancelling = point == 1 ? Task.Run(caller.Cancel) : Task.CompletedTask;
                bool hasSlot;
                try
                {
                    ValueTask<bool> entering = bulkhead.EnterAsync(caller.Token);
                    if (point == 2)
                    {
                        caller.Cancel();
                    }

                    hasSlot = await entering;
                }
                catch (OperationCanceledException)
                {
                    hasSlot = false;
                }

                await cancelling;
                Interlocked.Increment(ref outcomes);
                if (!hasSlot)
                {
                    continue;
                }

                InterlockedMax(ref mostInside, Interlocked.Increment(ref inside));
                if (point == 3)
                {
                    caller.Cancel();
                    await Task.Yield();
                }

                Interlocked.Decrement(ref inside);
                bulkhead.Release();
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Threads * CallsEach, outcomes);
        Assert.InRange(mostInside, 1, Limit);
        AssertFullCapacity(bulkhead, Limit);
    }

    [Fact]
    public async Task Queued_callers_are_served_in_the_order_they_queued_while_others_cancel_concurrently()
    {
        const int Waiters = 200;
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("stress", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = Waiters });
        Assert.True(bulkhead.TryEnter());
        var callers = new CancellationTokenSource[Waiters];
        var waiting = new Task<bool>[Waiters];
        for (int i = 0; i < Waiters; i++)
        {
            callers[i] = new CancellationTokenSource();
            waiting[i] = bulkhead.EnterAsync(callers[i].Token).AsTask();
            Assert.False(waiting[i].IsCompleted, $"Waiter {i} did not queue.");
        }

        // Every third waiter gives up, from other threads, while the slot is passed along below.
        Task cancelling = Task.Run(() => Parallel.For(0, Waiters, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            if (i % 3 == 1)
            {
                callers[i].Cancel();
            }
        }));

        var served = new List<int>();
        int next = 0;
        for (int released = 0; released <= Waiters; released++)
        {
            bulkhead.Release();
            // The slot went to exactly one waiter (or to none, once no one waits): the first one still waiting.
            int holder = -1;
            for (; next < Waiters; next++)
            {
                if (waiting[next].IsCompletedSuccessfully)
                {
                    holder = next++;
                    break;
                }

                if (!waiting[next].IsCompleted)
                {
                    // Not handed the slot and not cancelled yet: only a cancellation racing with this release explains it.
                    await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting[next].Guarded());
                }
                else
                {
                    Assert.True(waiting[next].IsCanceled, $"Waiter {next} was skipped without being cancelled.");
                }
            }

            if (holder < 0)
            {
                break;
            }

            Assert.True(await waiting[holder]);
            Assert.Equal(1, bulkhead.ActiveCount);
            served.Add(holder);
        }

        await cancelling.WaitAsync(TestSupport.HangGuard);
        Assert.Equal(served.OrderBy(i => i), served);
        Assert.All(Enumerable.Range(0, Waiters).Where(i => i % 3 != 1), i => Assert.Contains(i, served));
        Assert.Equal(Waiters, served.Count + waiting.Count(t => t.IsCanceled));
        AssertFullCapacity(bulkhead, 1);
        foreach (CancellationTokenSource caller in callers)
        {
            caller.Dispose();
        }
    }

    /// <summary>Nothing is inside or queued, and exactly <paramref name="limit"/> calls can enter at once.</summary>
    internal static void AssertFullCapacity(BulkheadState bulkhead, int limit)
    {
        Assert.Equal(0, bulkhead.ActiveCount);
        Assert.Equal(0, bulkhead.QueuedCount);
        for (int i = 0; i < limit; i++)
        {
            Assert.True(bulkhead.TryEnter(), $"Only {i} of the {limit} slots were free after the run.");
        }

        Assert.False(bulkhead.TryEnter());
        for (int i = 0; i < limit; i++)
        {
            bulkhead.Release();
        }

        Assert.Equal(0, bulkhead.ActiveCount);
    }

    internal static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
