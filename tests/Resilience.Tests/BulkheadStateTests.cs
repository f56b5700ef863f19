using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

public sealed class BulkheadStateTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public BulkheadStateTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void Admits_at_most_MaxConcurrency_calls_at_once()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 2 });

        ValueTask<bool> first = bulkhead.EnterAsync(CancellationToken.None);
        ValueTask<bool> second = bulkhead.EnterAsync(CancellationToken.None);
        ValueTask<bool> third = bulkhead.EnterAsync(CancellationToken.None);

        Assert.True(first.ResultNow());
        Assert.True(second.ResultNow());
        Assert.False(third.ResultNow());
        Assert.Equal(2, bulkhead.ActiveCount);
    }

    [Fact]
    public async Task Waits_that_keep_running_out_behind_a_held_slot_do_not_pile_up_in_the_queue()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 2, MaxWaitMs = 10 });
        Assert.True(bulkhead.TryEnter()); // held for the whole test

        for (int i = 0; i < 1_000; i++)
        {
            ValueTask<bool> waiting = bulkhead.EnterAsync(CancellationToken.None);
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            Assert.False(await waiting.Guarded());
        }

        Assert.Equal(0, bulkhead.QueueEntries);
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(1_000, bulkhead.RejectionCount);
    }

    [Fact]
    public void A_released_slot_can_be_taken_again()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1 });
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.TryEnter());

        bulkhead.Release();

        Assert.Equal(0, bulkhead.ActiveCount);
        Assert.True(bulkhead.TryEnter());
    }

    [Fact]
    public async Task Queued_calls_get_slots_in_order_as_others_release()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 3 });
        Assert.True(await bulkhead.EnterAsync(CancellationToken.None).Guarded());
        Task<bool> second = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Task<bool> third = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Task<bool> fourth = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Assert.Equal(3, bulkhead.QueuedCount);
        Assert.False(second.IsCompleted || third.IsCompleted || fourth.IsCompleted);

        bulkhead.Release();
        Assert.True(await second.Guarded());
        Assert.False(third.IsCompleted || fourth.IsCompleted);

        bulkhead.Release();
        Assert.True(await third.Guarded());
        Assert.False(fourth.IsCompleted);

        bulkhead.Release();
        Assert.True(await fourth.Guarded());
        Assert.Equal(1, bulkhead.ActiveCount);
        Assert.Equal(0, bulkhead.QueuedCount);

        bulkhead.Release();
        Assert.Equal(0, bulkhead.ActiveCount);
    }

    [Fact]
    public async Task A_call_beyond_the_slots_and_the_queue_is_rejected_at_once()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 2 }, "orders-db");
        Assert.True(await bulkhead.EnterAsync(CancellationToken.None).Guarded());
        Task<bool> queued1 = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Task<bool> queued2 = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        ValueTask<bool> rejected = bulkhead.EnterAsync(CancellationToken.None);

        Assert.False(rejected.ResultNow());
        Assert.Equal(1, bulkhead.RejectionCount);
        Assert.Equal(2, bulkhead.QueuedCount);
        Assert.False(queued1.IsCompleted || queued2.IsCompleted);

        BulkheadRejectedException rejection = bulkhead.CreateRejection();
        Assert.Equal("orders-db", rejection.PolicyName);
        Assert.Contains("'orders-db'", rejection.Message, StringComparison.Ordinal);
        Assert.Equal(1, rejection.MaxConcurrency);
        Assert.Equal(2, rejection.MaxQueue);
    }

    [Fact]
    public async Task A_queued_call_is_rejected_when_the_clock_passes_MaxWaitMs()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWaitMs = 100 });
        Assert.True(bulkhead.TryEnter());
        Task<bool> waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(waiting.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await waiting.Guarded());
        Assert.Equal(1, bulkhead.RejectionCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task A_call_that_waited_too_long_frees_its_queue_place_and_gets_no_slot()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWaitMs = 100 });
        Assert.True(bulkhead.TryEnter());
        Task<bool> timedOut = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(await timedOut.Guarded());

        Task<bool> next = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted); // queued, not rejected: the place was freed
        bulkhead.Release();

        Assert.True(await next.Guarded());
        Assert.Equal(1, bulkhead.ActiveCount);
    }

    [Fact]
    public async Task A_queued_call_whose_token_is_cancelled_throws_and_frees_its_queue_place()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });
        Assert.True(bulkhead.TryEnter());
        using var cancellation = new CancellationTokenSource();
        Task<bool> cancelled = bulkhead.EnterAsync(cancellation.Token).AsTask();
        Assert.Equal(1, bulkhead.QueuedCount);

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Guarded());
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(0, bulkhead.RejectionCount);

        Task<bool> next = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted); // queued in the freed place, not rejected
        Assert.Equal(0, bulkhead.RejectionCount);

        bulkhead.Release();
        Assert.True(await next.Guarded());
        Assert.Equal(1, bulkhead.ActiveCount);
    }

    [Fact]
    public async Task A_cancelled_call_is_skipped_when_a_slot_frees()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 2 });
        Assert.True(bulkhead.TryEnter());
        using var cancellation = new CancellationTokenSource();
        Task<bool> cancelled = bulkhead.EnterAsync(cancellation.Token).AsTask();
        Task<bool> behind = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Guarded());

        bulkhead.Release();

        Assert.True(await behind.Guarded());
        Assert.Equal(1, bulkhead.ActiveCount);
    }

    [Fact]
    public async Task An_already_cancelled_token_throws_when_the_call_would_have_to_wait()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });
        Assert.True(bulkhead.TryEnter());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await bulkhead.EnterAsync(new CancellationToken(canceled: true)));

        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(1, bulkhead.ActiveCount);
    }

    // ---- the synchronous form ---------------------------------------------------------------------

    [Fact]
    public void Enter_admits_up_to_the_limit_and_rejects_beyond_it()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 2 });

        Assert.True(bulkhead.Enter(CancellationToken.None));
        Assert.True(bulkhead.Enter(CancellationToken.None));
        Assert.False(bulkhead.Enter(CancellationToken.None));

        Assert.Equal(2, bulkhead.ActiveCount);
        Assert.Equal(1, bulkhead.RejectionCount);
    }

    [Fact]
    public async Task Enter_waits_in_the_queue_until_a_slot_is_released()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });
        Assert.True(bulkhead.Enter(CancellationToken.None));
        Task<bool> waiting = Task.Run(() => bulkhead.Enter(CancellationToken.None));
        TestSupport.SpinUntil(() => bulkhead.QueuedCount == 1, "the call is queued");
        Assert.False(bulkhead.Enter(CancellationToken.None)); // queue full

        bulkhead.Release();

        Assert.True(await waiting.Guarded());
        Assert.Equal(1, bulkhead.ActiveCount);
    }

    [Fact]
    public async Task Enter_is_rejected_when_the_clock_passes_MaxWaitMs()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWaitMs = 250 });
        Assert.True(bulkhead.Enter(CancellationToken.None));
        Task<bool> waiting = Task.Run(() => bulkhead.Enter(CancellationToken.None));
        TestSupport.SpinUntil(() => bulkhead.QueuedCount == 1, "the call is queued");

        // The waiter arms its timer just after it is counted as queued: advance until the timer has fired.
        TestSupport.SpinUntil(
            () =>
            {
                _clock.Advance(TimeSpan.FromMilliseconds(250));
                return waiting.IsCompleted;
            },
            "the wait runs out");

        Assert.False(await waiting.Guarded());
        Assert.Equal(1, bulkhead.RejectionCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task Enter_throws_when_cancelled_while_waiting()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });
        Assert.True(bulkhead.Enter(CancellationToken.None));
        using var cancellation = new CancellationTokenSource();
        Task<bool> waiting = Task.Run(() => bulkhead.Enter(cancellation.Token));
        TestSupport.SpinUntil(() => bulkhead.QueuedCount == 1, "the call is queued");

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Guarded());
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(1, bulkhead.ActiveCount);
    }

    // ---- under real concurrency -------------------------------------------------------------------

    [Fact]
    public async Task Never_lets_more_than_MaxConcurrency_in_under_contention()
    {
        const int Limit = 3;
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = Limit, MaxQueue = 16 });
        int inside = 0, mostInside = 0, entered = 0;

        async Task Worker()
        {
            for (int i = 0; i < 4_000; i++)
            {
                Assert.True(await bulkhead.EnterAsync(CancellationToken.None));
                int now = Interlocked.Increment(ref inside);
                InterlockedMax(ref mostInside, now);
                Interlocked.Increment(ref entered);
                await Task.Yield();
                Interlocked.Decrement(ref inside);
                bulkhead.Release();
            }
        }

        Task[] workers = Enumerable.Range(0, 8).Select(_ => Task.Run(Worker)).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.InRange(mostInside, 1, Limit);
        Assert.Equal(8 * 4_000, entered);
        Assert.Equal(0, bulkhead.ActiveCount);
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(0, bulkhead.RejectionCount);
    }

    [Fact]
    public async Task Keeps_its_counts_right_when_waiting_calls_are_cancelled_under_contention()
    {
        const int Limit = 2;
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = Limit, MaxQueue = 4 });
        int inside = 0, mostInside = 0;

        async Task Worker(int seed)
        {
            for (int i = 0; i < 2_000; i++)
            {
                using var cancellation = new CancellationTokenSource();
                ValueTask<bool> entering = bulkhead.EnterAsync(cancellation.Token);
                if ((i + seed) % 3 == 0)
                {
                    cancellation.Cancel();
                }

                bool entered;
                try
                {
                    entered = await entering;
                }
                catch (OperationCanceledException)
                {
                    continue;
                }

                if (entered)
                {
                    InterlockedMax(ref mostInside, Interlocked.Increment(ref inside));
                    await Task.Yield();
                    Interlocked.Decrement(ref inside);
                    bulkhead.Release();
                }
            }
        }

        Task[] workers = Enumerable.Range(0, 8).Select(seed => Task.Run(() => Worker(seed))).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.InRange(mostInside, 1, Limit);
        Assert.Equal(0, bulkhead.ActiveCount);
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.TryEnter());
    }

    [Fact]
    public void Never_lets_more_than_MaxConcurrency_in_with_blocking_callers()
    {
        const int Limit = 2;
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = Limit, MaxQueue = 8 });
        int inside = 0, mostInside = 0;

        TestSupport.RunOnThreads(8, _ =>
        {
            for (int i = 0; i < 3_000; i++)
            {
                Assert.True(bulkhead.Enter(CancellationToken.None));
                InterlockedMax(ref mostInside, Interlocked.Increment(ref inside));
                Thread.Yield();
                Interlocked.Decrement(ref inside);
                bulkhead.Release();
            }
        });

        Assert.InRange(mostInside, 1, Limit);
        Assert.Equal(0, bulkhead.ActiveCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    // ---- misuse and settings ----------------------------------------------------------------------

    [Fact]
    public void Releasing_more_often_than_entered_throws()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 2 }, "search");
        Assert.True(bulkhead.TryEnter());
        bulkhead.Release();

        var error = Assert.Throws<InvalidOperationException>(bulkhead.Release);

        Assert.Contains("'search'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, bulkhead.ActiveCount);
        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.TryEnter());
    }

    [Theory]
    [InlineData(0, 0, 0, "BulkheadOptions.MaxConcurrency is 0; it must be at least 1.")]
    [InlineData(1, -1, 0, "BulkheadOptions.MaxQueue is -1; it must be at least 0.")]
    [InlineData(1, 0, -1, "BulkheadOptions.MaxWaitMs is -1; it must be at least 0.")]
    public void An_option_out_of_range_throws_naming_the_property(int maxConcurrency, int maxQueue, int maxWaitMs, string expectedMessage)
    {
        var options = new BulkheadOptions { MaxConcurrency = maxConcurrency, MaxQueue = maxQueue, MaxWaitMs = maxWaitMs };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _registry.GetOrAddBulkhead("test", options));

        Assert.StartsWith(expectedMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_caller_refused_by_a_full_queue_with_a_cancelled_token_is_a_cancellation_not_a_rejection()
    {
        BulkheadState bulkhead = Create(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 });
        Assert.True(bulkhead.TryEnter());

        Assert.ThrowsAny<OperationCanceledException>(() => bulkhead.Enter(new CancellationToken(canceled: true)));
        Assert.False(bulkhead.Enter(CancellationToken.None));

        Assert.Equal(1, bulkhead.RejectionCount);
    }

    [Fact]
    public async Task QueuedCount_never_reads_above_MaxQueue_while_callers_crowd_in()
    {
        // The system clock: the waits are real. Two slots, a queue of three, and sixteen callers hammering it: the queue
        // is full most of the time, so that callers turned away at its limit are many.
        var registry = new ResilienceRegistry();
        BulkheadState bulkhead = registry.GetOrAddBulkhead("crowded", new BulkheadOptions { MaxConcurrency = 2, MaxQueue = 3 });
        using var stop = new CancellationTokenSource();
        int highest = 0, reads = 0;
        // A thread of its own, which the callers crowding the pool cannot starve.
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                InterlockedMax(ref highest, bulkhead.QueuedCount);
                Interlocked.Increment(ref reads);
            }
        });
        sampler.Start();
        SpinWait.SpinUntil(() => Volatile.Read(ref reads) > 0, TimeSpan.FromSeconds(5));

        Task[] callers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                if (await bulkhead.EnterAsync(CancellationToken.None))
                {
                    Thread.SpinWait(200);
                    bulkhead.Release();
                }
            }
        })).ToArray();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));
        stop.Cancel();
        Assert.True(sampler.Join(TimeSpan.FromSeconds(5)), "The sampler did not stop.");

        Assert.True(reads > 0, "The sampler never read the gauge.");
        Assert.InRange(highest, 0, 3);
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(0, bulkhead.ActiveCount);
    }

    private BulkheadState Create(BulkheadOptions options, string name = "test") => _registry.GetOrAddBulkhead(name, options);

    private static void InterlockedMax(ref int location, int value)
    {
        int current = Volatile.Read(ref location);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
