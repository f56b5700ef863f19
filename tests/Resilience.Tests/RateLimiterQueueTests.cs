using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>A rate limit's queue serves calls in the order they arrived, loses no permit to a call that leaves it, and holds its limit.</summary>
public sealed class RateLimiterQueueTests
{
    private const int WindowMs = 10;

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public RateLimiterQueueTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void Queued_calls_are_served_in_the_order_they_arrived(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, queueLimit: 10);
        Assert.True(limiter.TryAcquire());
        var waiting = new List<Task<bool>>();
        for (int i = 0; i < 10; i++)
        {
            waiting.Add(limiter.AcquireAsync(CancellationToken.None).AsTask());
        }

        // One permit a window: each window serves the next call in line, and only it.
        for (int served = 1; served <= 10; served++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(WindowMs));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => i < served), waiting.Select(t => t.IsCompleted));
            Assert.Equal(10 - served, limiter.QueuedCount);
        }

        Assert.All(waiting, t => Assert.True(t.Result));
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task A_new_call_does_not_take_a_permit_while_calls_wait(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, permits: 2, queueLimit: 1);
        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Task<bool> first = limiter.AcquireAsync(CancellationToken.None).AsTask();

        // The queue is full, and the call in it has the next permit: a newcomer is turned away, even by TryAcquire.
        Assert.False(limiter.TryAcquire());
        Assert.False(limiter.AcquireAsync(CancellationToken.None).ResultNow());
        Assert.Equal(1, limiter.RejectionCount);

        _clock.Advance(TimeSpan.FromMilliseconds(WindowMs));

        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(await first);
        Assert.True(limiter.TryAcquire()); // the window's second permit, once nobody waits
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task A_cancelled_call_leaves_the_queue_without_taking_a_permit_and_makes_room(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = Create(algorithm, queueLimit: 3);
        Assert.True(limiter.TryAcquire());
        using var cancellation = new CancellationTokenSource();
        Task<bool> first = limiter.AcquireAsync(CancellationToken.None).AsTask();
        Task<bool> cancelled = limiter.AcquireAsync(cancellation.Token).AsTask();
        Task<bool> third = limiter.AcquireAsync(CancellationToken.None).AsTask();
        Assert.False(limiter.AcquireAsync(CancellationToken.None).ResultNow()); // full

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Guarded());
        Assert.Equal(2, limiter.QueuedCount);

        // Its place is free again, at the back of the line.
        Task<bool> fourth = limiter.AcquireAsync(CancellationToken.None).AsTask();
        Assert.Equal(3, limiter.QueuedCount);

        // One permit a window, and none went to the cancelled call: the others are served one window after another.
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMs));
        Assert.Equal([true, false, false], new[] { first, third, fourth }.Select(t => t.IsCompleted));
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMs));
        Assert.Equal([true, true, false], new[] { first, third, fourth }.Select(t => t.IsCompleted));
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMs));
        Assert.True(await fourth.Guarded());
        Assert.Equal(0, limiter.QueuedCount);
        Assert.False(limiter.TryAcquire());
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMs));
        Assert.True(limiter.TryAcquire());
        Assert.Equal(1, limiter.RejectionCount);
    }

    [Fact]
    public void A_blocking_call_waits_its_turn_too()
    {
        RateLimiterState limiter = Create(RateLimitAlgorithm.TokenBucket, queueLimit: 2);
        Assert.True(limiter.TryAcquire());
        Task<bool> first = limiter.AcquireAsync(CancellationToken.None).AsTask();
        bool? acquired = null;
        var blocked = new Thread(() => acquired = limiter.Acquire(CancellationToken.None)) { IsBackground = true };
        blocked.Start();
        TestSupport.SpinUntil(() => limiter.QueuedCount == 2, "the blocking call queues");

        _clock.Advance(TimeSpan.FromMilliseconds(WindowMs));
        Assert.True(first.IsCompleted);
        Assert.True(blocked.IsAlive);

        _clock.Advance(TimeSpan.FromMilliseconds(WindowMs));
        Assert.True(blocked.Join(TestSupport.HangGuard));
        Assert.True(acquired);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void Under_contention_no_call_is_served_before_one_that_arrived_earlier(RateLimitAlgorithm algorithm)
    {
        const int Producers = 4;
        const int CallsEach = 100;
        const int Calls = Producers * CallsEach;
        // Timers that fire half a window late, as real ones fire a little late: a permit is free for a while before the
        // queue's timer wakes, and a call arriving then must queue behind those waiting rather than take it.
        var clock = new LateTimerClock(TimeSpan.FromMilliseconds(WindowMs / 2));
        ResilienceRegistry registry = new() { TimeProvider = clock };
        RateLimiterState limiter = registry.GetOrAddRateLimiter("contended", new RateLimitOptions { Algorithm = algorithm, Permits = 1, WindowMs = WindowMs, QueueLimit = Calls });
        var calls = new Call?[Calls];
        long sequence = 0;
        bool producing = true;

        // The clock moves on one permit at a time while the producers add calls, and after each step every call that has
        // a permit must have had it after every call that arrived strictly before it (returned before it started).
        Exception? advancerFailure = null;
        var advancer = new Thread(() =>
        {
            try
            {
                // Until every call is served; a slot still empty once the producers stopped means they failed.
                for (int step = 0; Volatile.Read(ref producing) || calls.Any(c => c is not null && !c.Task.IsCompleted); step++)
                {
                    Assert.True(step < 200_000, "The queued calls were not all served.");
                    clock.Advance(TimeSpan.FromMilliseconds(WindowMs / 2));
                    AssertNoneOvertaken(calls);
                    Thread.Yield();
                }
            }
            catch (Exception e)
            {
                // Reported on the test's thread, rather than ending the test run.
                advancerFailure = e;
            }
        })
        { IsBackground = true };
        advancer.Start();

        try
        {
            TestSupport.RunOnThreads(Producers, producer =>
            {
            for (int i = 0; i < CallsEach; i++)
            {
                long started = Interlocked.Increment(ref sequence);
                Task<bool> task = limiter.AcquireAsync(CancellationToken.None).AsTask();
                long returned = Interlocked.Increment(ref sequence);
                Volatile.Write(ref calls[(producer * CallsEach) + i], new Call(started, returned, task));
                if (i % 7 == 0)
                {
                    Thread.Yield();
                }
            }
            });
        }
        finally
        {
            Volatile.Write(ref producing, false);
        }

        Assert.True(advancer.Join(TimeSpan.FromSeconds(60)), "The queued calls were not all served.");
        if (advancerFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(advancerFailure).Throw();
        }

        AssertNoneOvertaken(calls);
        Assert.All(calls, c => Assert.True(c!.Task.Result));
        Assert.Equal(0, limiter.RejectionCount);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void Under_contention_the_queue_never_holds_more_than_its_limit(RateLimitAlgorithm algorithm)
    {
        const int QueueLimit = 10;
        RateLimiterState limiter = Create(algorithm, queueLimit: QueueLimit);
        Assert.True(limiter.TryAcquire());
        var queued = new System.Collections.Concurrent.ConcurrentBag<Task<bool>>();
        int rejected = 0;

        TestSupport.RunOnThreads(8, _ =>
        {
            for (int i = 0; i < 50; i++)
            {
                ValueTask<bool> call = limiter.AcquireAsync(CancellationToken.None);
                if (call.IsCompleted)
                {
                    Assert.False(call.Result); // the clock is frozen: no permit is free
                    Interlocked.Increment(ref rejected);
                }
                else
                {
                    queued.Add(call.AsTask());
                }

                Assert.InRange(limiter.QueuedCount, 0, QueueLimit);
            }
        });

        Assert.Equal(QueueLimit, queued.Count);
        Assert.Equal(QueueLimit, limiter.QueuedCount);
        Assert.Equal(400 - QueueLimit, rejected);
        Assert.Equal(400 - QueueLimit, limiter.RejectionCount);

        for (int i = 0; i < QueueLimit; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(WindowMs));
        }

        Assert.All(queued, t => Assert.True(t.IsCompletedSuccessfully && t.Result));
        Assert.Equal(0, limiter.QueuedCount);
    }

    [Fact]
    public async Task A_queued_call_on_a_partition_a_sweep_dropped_waits_in_the_keys_new_partition()
    {
        KeyedRateLimiterState<string> limiter = _registry.GetOrAddKeyedRateLimiter<string>(
            "swept", new RateLimitOptions { Permits = 1, WindowMs = WindowMs, QueueLimit = 5 });
        RateLimiterState fetched = limiter.GetPartition("user-1");
        for (int i = 0; i < 1_100; i++)
        {
            limiter.GetPartition("other-" + i);
        }

        RateLimiterState current = limiter.GetPartition("user-1");
        Assert.NotSame(fetched, current);
        Assert.True(current.TryAcquire());

        // The caller that fetched the dropped partition waits behind the key's limit, not on a partition of its own.
        Task<bool> late = fetched.AcquireAsync(CancellationToken.None).AsTask();
        Assert.False(late.IsCompleted);
        Assert.Equal(1, current.QueuedCount);

        _clock.Advance(TimeSpan.FromMilliseconds(WindowMs));
        Assert.True(await late.Guarded());
    }

    /// <summary>
    /// Every call that has its permit must have had it after every call that returned, queued or served, before it
    /// started. The completions are read from the latest start to the earliest, so that a call is read before every call
    /// that arrived before it: a call served first is then never seen incomplete after a later one is seen served.
    /// </summary>
    private static void AssertNoneOvertaken(Call?[] calls)
    {
        Call[] seen = calls.Where(c => c is not null).Select(c => c!).OrderByDescending(c => c.Started).ToArray();
        bool[] completed = new bool[seen.Length];
        for (int i = 0; i < seen.Length; i++)
        {
            completed[i] = seen[i].Task.IsCompleted;
        }

        long earliestWaitingReturn = long.MaxValue;
        for (int i = 0; i < seen.Length; i++)
        {
            if (!completed[i])
            {
                earliestWaitingReturn = Math.Min(earliestWaitingReturn, seen[i].Returned);
            }
        }

        for (int i = 0; i < seen.Length; i++)
        {
            Assert.False(
                completed[i] && seen[i].Started > earliestWaitingReturn,
                $"A call that started at {seen[i].Started} was served while one that had returned at {earliestWaitingReturn} still waited.");
        }
    }

    [Fact]
    public async Task Queued_calls_share_one_timer_which_carries_no_callers_context_and_leaves_the_callers_flow_as_it_was()
    {
        var clock = new CountingClock();
        var registry = new ResilienceRegistry { TimeProvider = clock };
        RateLimiterState limiter = registry.GetOrAddRateLimiter("queued", new RateLimitOptions { Permits = 1, WindowMs = WindowMs, QueueLimit = 3 });
        Assert.True(limiter.TryAcquire());

        var waiting = new List<Task<bool>>();
        for (int i = 0; i < 3; i++)
        {
            waiting.Add(limiter.AcquireAsync(CancellationToken.None).AsTask());
            Assert.False(ExecutionContext.IsFlowSuppressed(), "the caller's flow was left suppressed");
        }

        Assert.Equal(1, clock.Created);
        Assert.Equal(new[] { true }, clock.FlowSuppressedAtCreation);

        for (int i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(WindowMs));
        }

        Assert.Equal(new[] { true, true, true }, await Task.WhenAll(waiting).WaitAsync(TestSupport.HangGuard));
        Assert.Equal(1, clock.Created);
    }

    private RateLimiterState Create(RateLimitAlgorithm algorithm, int permits = 1, int queueLimit = 0)
        => _registry.GetOrAddRateLimiter("queued-" + algorithm, new RateLimitOptions { Algorithm = algorithm, Permits = permits, WindowMs = WindowMs, QueueLimit = queueLimit });

    private sealed record Call(long Started, long Returned, Task<bool> Task);

    /// <summary>A fake clock whose timers fire <c>lateness</c> after they are due.</summary>
    private sealed class LateTimerClock(TimeSpan lateness) : FakeTimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => new LateTimer(base.CreateTimer(callback, state, Late(dueTime), period), lateness);

        private TimeSpan Late(TimeSpan dueTime) => dueTime == Timeout.InfiniteTimeSpan ? dueTime : dueTime + lateness;

        private sealed class LateTimer(ITimer inner, TimeSpan lateness) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
                => inner.Change(dueTime == Timeout.InfiniteTimeSpan ? dueTime : dueTime + lateness, period);

            public void Dispose() => inner.Dispose();

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
