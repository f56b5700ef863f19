using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>
/// A distributed limit with a <see cref="RateLimitOptions.DistributedBatch"/>: permits taken from the store a batch at a
/// time and handed out locally, never more than one batch at once, and never past its lease.
/// </summary>
public sealed class DistributedBatchTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;
    private readonly FakeDistributedStore _store;

    public DistributedBatchTests()
    {
        _registry = TestSupport.CreateRegistry(out _clock);
        _store = new FakeDistributedStore(_clock);
        _registry.UseDistributedStore(_store);
    }

    [Fact]
    public async Task One_round_trip_takes_a_batch_and_the_rest_of_it_is_handed_out_without_asking_the_store()
    {
        RateLimiterState limiter = Limiter(permits: 100, batch: 10);

        for (int i = 0; i < 25; i++)
        {
            Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        }

        // 25 calls: a batch of 10 serves calls 1-10, the next 11-20, the third 21-25 (5 of it are left).
        Assert.Equal(new[] { 10, 10, 10 }, _store.Asked);
        Assert.Equal(70, limiter.GetLimitInfo().Remaining);
        Assert.True(limiter.TryAcquire(), "a permit left in the batch is taken without the store");
        Assert.Equal(3, _store.Asked.Count);
    }

    [Fact]
    public async Task Without_a_batch_every_permit_is_a_round_trip()
    {
        RateLimiterState limiter = Limiter(permits: 100, batch: 0);

        for (int i = 0; i < 5; i++)
        {
            Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        }

        Assert.Equal(new[] { 1, 1, 1, 1, 1 }, _store.Asked);
        Assert.False(limiter.TryAcquire(), "a distributed limit without a batch takes no permit without the store");
    }

    [Fact]
    public async Task A_batch_is_not_handed_out_after_its_lease()
    {
        RateLimiterState limiter = Limiter(permits: 1_000, batch: 10, windowMs: 60_000);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        Assert.True(limiter.TryAcquire());

        _clock.Advance(RateLimiterState.BatchLease);

        Assert.False(limiter.TryAcquire(), "the batch's lease has ended");
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        Assert.Equal(new[] { 10, 10 }, _store.Asked);
    }

    [Fact]
    public async Task A_fixed_window_batch_ends_with_its_window_so_the_window_stays_exact()
    {
        // The fake clock starts on a whole second: the window of 600 ms ends 600 ms from now, before the lease would.
        RateLimiterState limiter = Limiter(permits: 20, batch: 10, windowMs: 600, RateLimitAlgorithm.FixedWindow);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        _clock.Advance(TimeSpan.FromMilliseconds(599));
        Assert.True(limiter.TryAcquire());
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(limiter.TryAcquire(), "a permit of the last window was handed out in the next one");
    }

    [Fact]
    public async Task A_fixed_window_batch_taken_late_in_the_window_ends_with_the_window_before_its_lease()
    {
        // 300 ms into a window of a second: the batch is handed out for the 700 ms left, not for the whole lease.
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        RateLimiterState limiter = Limiter(permits: 20, batch: 10, windowMs: 1_000, RateLimitAlgorithm.FixedWindow);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        _clock.Advance(TimeSpan.FromMilliseconds(699));
        Assert.True(limiter.TryAcquire());
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(limiter.TryAcquire(), "a permit of the last window was handed out in the next one");
    }

    [Fact]
    public async Task Permits_left_are_carried_into_the_next_batch_of_the_same_fixed_window_though_its_end_is_reported_a_moment_late()
    {
        RateLimiterState limiter = Limiter(permits: 100, batch: 8, windowMs: 1_000, RateLimitAlgorithm.FixedWindow);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        _store.ReportNextResetOff(TimeSpan.FromMilliseconds(1));

        // 7 left: the take that leaves 2 asks for the next batch, whose answer gives the window's end a millisecond late.
        for (int i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        Assert.Equal(new[] { 8, 8 }, _store.Asked);
        _store.Hold = new TaskCompletionSource().Task;

        // The new batch of 8 and the 2 left of the same window: the 16 permits the store counted, every one handed out.
        Assert.Equal(10, HandOutAll(limiter));
    }

    [Fact]
    public async Task A_batch_of_the_next_fixed_window_does_not_take_the_permits_left_of_one_whose_end_was_reported_half_a_window_late()
    {
        // 600 ms into the window; the answer, half a window late, gives its end 500 ms after it is, and its batch a lease
        // of 900 ms, which runs on into the store's next window.
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        RateLimiterState limiter = Limiter(permits: 100, batch: 8, windowMs: 1_000, RateLimitAlgorithm.FixedWindow);
        _store.ReportNextResetOff(TimeSpan.FromMilliseconds(500));
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        for (int i = 0; i < 4; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        // The store's next window: the take that leaves 2 asks for the next batch, counted in it.
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.True(limiter.TryAcquire());
        Assert.Equal(new[] { 8, 8 }, _store.Asked);
        _store.Hold = new TaskCompletionSource().Task;

        Assert.Equal(8, HandOutAll(limiter));
    }

    [Fact]
    public async Task A_batch_granted_as_its_window_ends_is_not_handed_out_and_the_permits_left_in_hand_still_are()
    {
        RateLimiterState limiter = Limiter(permits: 100, batch: 8, windowMs: 1_000, RateLimitAlgorithm.FixedWindow);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        // Half a millisecond before the window ends, a store that gives the time left in whole milliseconds gives none.
        _clock.Advance(TimeSpan.FromMilliseconds(999.5));
        _store.ReportNextResetOff(TimeSpan.FromMilliseconds(-0.5));
        for (int i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        Assert.Equal(new[] { 8, 8 }, _store.Asked);
        Assert.Equal(2, HandOutAll(limiter));
    }

    [Fact]
    public async Task A_batch_smaller_than_asked_for_is_what_the_window_had_left_and_then_the_limit_rejects()
    {
        RateLimiterState limiter = Limiter(permits: 15, batch: 10, windowMs: 60_000, RateLimitAlgorithm.FixedWindow);

        int admitted = 0;
        while (await limiter.AcquireAsync(CancellationToken.None).Guarded())
        {
            admitted++;
            Assert.True(admitted <= 15, "more than the window's permits were admitted");
        }

        Assert.Equal(15, admitted);
        // The first batch, one asked ahead (5 were left), one asked ahead that found none, and the call turned away.
        Assert.Equal(new[] { 10, 10, 10, 10 }, _store.Asked);
        Assert.Equal(0, limiter.GetLimitInfo().Remaining);
    }

    [Fact]
    public async Task The_next_batch_is_asked_for_ahead_so_that_no_call_waits_for_it_and_what_was_left_is_carried_over()
    {
        RateLimiterState limiter = Limiter(permits: 1_000, batch: 8, windowMs: 60_000);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Hold = release.Task;

        // 7 left: the take that leaves 2 asks for the next batch, which the store holds back; the calls go on.
        for (int i = 0; i < 7; i++)
        {
            Assert.True(limiter.AcquireAsync(CancellationToken.None).ResultNow());
        }

        Assert.Single(_store.Asked);
        _store.Hold = null;
        release.SetResult();
        TestSupport.SpinUntil(() => _store.Asked.Count == 2, "the batch asked ahead arrives");
        TestSupport.SpinUntil(() => limiter.TryAcquire(), "the new batch is handed out");

        // 8 new and none carried (all 7 were taken), one taken just now; the take that leaves 2 asks again, and the 2
        // are carried into the third batch: 10, of which the last 2 calls take 2.
        for (int i = 0; i < 7; i++)
        {
            Assert.True(limiter.AcquireAsync(CancellationToken.None).ResultNow());
        }

        Assert.Equal(new[] { 8, 8, 8 }, _store.Asked);
        _store.Hold = new TaskCompletionSource().Task;
        int handedOut = 0;
        while (limiter.TryAcquire())
        {
            handedOut++;
        }

        Assert.Equal(8, handedOut);
    }

    [Fact]
    public async Task Permits_left_in_a_batch_whose_lease_has_just_ended_are_not_carried_into_the_next()
    {
        RateLimiterState limiter = Limiter(permits: 1_000, batch: 8, windowMs: 60_000);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Hold = release.Task;

        // 7 left: the take that leaves 2 asks for the next batch, which the store holds back until the lease ends.
        for (int i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        _clock.Advance(RateLimiterState.BatchLease);
        Assert.False(limiter.TryAcquire(), "the 2 left are not handed out once the lease has ended");
        _store.Hold = null;
        release.SetResult();
        TestSupport.SpinUntil(() => limiter.TryAcquire(), "the batch asked ahead arrives");

        // The new batch has its own 8 permits, one taken just now; the 2 of the ended lease are not added to them.
        _store.Hold = new TaskCompletionSource().Task;
        int handedOut = 1;
        while (limiter.TryAcquire())
        {
            handedOut++;
        }

        Assert.Equal(8, handedOut);
    }

    [Fact]
    public async Task While_one_call_asks_for_the_next_batch_the_others_ask_for_their_own_permit()
    {
        RateLimiterState limiter = Limiter(permits: 1_000, batch: 50);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Hold = release.Task;

        Task<bool>[] calls = Enumerable.Range(0, 4).Select(_ => limiter.AcquireAsync(CancellationToken.None).AsTask()).ToArray();
        TestSupport.SpinUntil(() => calls.All(c => !c.IsCompleted) && _store.Asked.Count == 0, "the calls wait for the store");
        _store.Hold = null;
        release.SetResult();

        Assert.All(await Task.WhenAll(calls).WaitAsync(TestSupport.HangGuard), Assert.True);
        Assert.Equal(new[] { 1, 1, 1, 50 }, _store.Asked.OrderBy(n => n));
    }

    [Fact]
    public async Task Changed_settings_drop_the_batch_taken_for_the_old_ones()
    {
        RateLimiterState limiter = Limiter(permits: 100, batch: 10, name: "reconfigured");
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        _registry.Configure(new Dictionary<string, PolicySettings> { ["reconfigured"] = new() { Permits = 200 } });

        Assert.False(limiter.TryAcquire(), "a batch taken under the old settings was handed out");
    }

    [Fact]
    public async Task The_first_batch_taken_for_changed_settings_does_not_take_the_permits_left_of_the_old_ones()
    {
        RateLimiterState limiter = Limiter(permits: 100, batch: 10, name: "reconfigured");
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        _registry.Configure(new Dictionary<string, PolicySettings> { ["reconfigured"] = new() { Permits = 200 } });

        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        Assert.Equal(new[] { 10, 10 }, _store.Asked);
        _store.Hold = new TaskCompletionSource().Task;

        // The 9 left of the new batch; the 9 left of the old settings' batch are dropped.
        Assert.Equal(9, HandOutAll(limiter));
    }

    [Fact]
    public void A_batch_larger_than_the_permits_is_refused_with_the_fix()
    {
        ArgumentOutOfRangeException refused = Assert.Throws<ArgumentOutOfRangeException>(
            () => _registry.GetOrAddRateLimiter("too-big", new RateLimitOptions { Permits = 5, DistributedBatch = 6, Distributed = true }));

        Assert.Contains("DistributedBatch is 6, more than Permits (5)", refused.Message);
        Assert.Contains("at most 5", refused.Message);
    }

    [Fact]
    public void Configuration_naming_a_batch_larger_than_its_permits_is_refused_and_one_above_the_attributes_permits_is_capped()
    {
        ArgumentException refused = Assert.Throws<ArgumentException>(
            () => _registry.Configure(new Dictionary<string, PolicySettings> { ["api"] = new() { Permits = 5, DistributedBatch = 8 } }));
        Assert.Contains("api:DistributedBatch is 8, more than api:Permits (5)", refused.Message);

        RateLimiterState limiter = Limiter(permits: 5, batch: 0, name: "capped");
        _registry.Configure(new Dictionary<string, PolicySettings> { ["capped"] = new() { DistributedBatch = 50 } });
        Assert.Equal(5, limiter.Options.DistributedBatch);
    }

    [Fact]
    public async Task Handing_out_a_permit_of_the_batch_allocates_nothing()
    {
        RateLimiterState limiter = Limiter(permits: 1_000_000, batch: 1_000_000, windowMs: 3_600_000);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            if (!limiter.AcquireAsync(CancellationToken.None).ResultNow())
            {
                throw new InvalidOperationException("rejected");
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Single(_store.Asked);
    }

    [Fact]
    public async Task Across_instances_a_sliding_window_admits_at_most_its_permits_and_a_batch_and_a_quarter_per_instance()
    {
        // The worst case of the bound docs/distributed.md gives (Permits + N × 1.25 × B): each instance hands out, just
        // before its lease ends, a batch and the quarter carried into it, all counted by the store a window earlier; just
        // after, the store's window has moved past them and it grants every permit again.
        const int Permits = 100, Batch = 8, Count = 3, WindowMs = 1_000;
        var store = new SlidingWindowStore(_clock);
        var options = new RateLimitOptions { Permits = Permits, WindowMs = WindowMs, Algorithm = RateLimitAlgorithm.SlidingWindow, DistributedBatch = Batch, Distributed = true };
        RateLimiterState[] limiters = Enumerable.Range(0, Count).Select(_ =>
        {
            var registry = new ResilienceRegistry { TimeProvider = _clock };
            registry.UseDistributedStore(store);
            return registry.GetOrAddRateLimiter("fleet", options);
        }).ToArray();
        var admittedAt = new List<long>();

        // A batch each, handed out until the next is asked for ahead and what is left of the first is carried into it.
        foreach (RateLimiterState limiter in limiters)
        {
            int asked = store.Asks;
            Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
            admittedAt.Add(_clock.GetUtcNow().UtcTicks);
            while (store.Asks == asked + 1)
            {
                Assert.True(limiter.TryAcquire());
                admittedAt.Add(_clock.GetUtcNow().UtcTicks);
            }
        }

        // Just before the leases end, every permit each instance holds; the batches they ask for ahead do not come.
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMs) - TimeSpan.FromTicks(1));
        store.Hold = new TaskCompletionSource().Task;
        foreach (RateLimiterState limiter in limiters)
        {
            while (limiter.TryAcquire())
            {
                admittedAt.Add(_clock.GetUtcNow().UtcTicks);
            }
        }

        // Just after, the store's window has none of those permits: it grants all of them again.
        _clock.Advance(TimeSpan.FromTicks(2));
        store.Hold = null;
        for (bool any = true; any;)
        {
            any = false;
            foreach (RateLimiterState limiter in limiters)
            {
                if (await limiter.AcquireAsync(CancellationToken.None).Guarded())
                {
                    admittedAt.Add(_clock.GetUtcNow().UtcTicks);
                    any = true;
                }
            }
        }

        long window = TimeSpan.FromMilliseconds(WindowMs).Ticks;
        int most = admittedAt.Max(start => admittedAt.Count(t => t >= start && t < start + window));
        Assert.True(most <= Permits + (Count * (Batch + (Batch / 4))), $"{most} admitted in one window: more than the permits and a batch and a quarter per instance");
        Assert.True(most > Permits + (Count * Batch), $"{most} admitted in one window: the worst case is no longer reached, so the documented bound can be lowered");
    }

    /// <summary>Takes permits from the batch in hand until it has none left, and says how many it took.</summary>
    private static int HandOutAll(RateLimiterState limiter)
    {
        int handedOut = 0;
        while (limiter.TryAcquire())
        {
            handedOut++;
        }

        return handedOut;
    }

    private RateLimiterState Limiter(int permits, int batch, int windowMs = 1_000, RateLimitAlgorithm algorithm = RateLimitAlgorithm.SlidingWindow, string name = "api")
        => _registry.GetOrAddRateLimiter(name, new RateLimitOptions { Permits = permits, WindowMs = windowMs, Algorithm = algorithm, DistributedBatch = batch, Distributed = true });

    /// <summary>
    /// A store that counts a limit's permits in a sliding window on the test's clock (the permits taken in the last
    /// window, by the time each was taken), granting as many of those asked for as are free.
    /// </summary>
    private sealed class SlidingWindowStore : IDistributedResilienceStore
    {
        private readonly TimeProvider _clock;
        private readonly List<(long At, int Permits)> _taken = new();
        private int _asks;

        public SlidingWindowStore(TimeProvider clock) => _clock = clock;

        /// <summary>While set, a request waits for it to complete before it is counted and answered.</summary>
        public Task? Hold { get; set; }

        /// <summary>How many requests were made, held ones included.</summary>
        public int Asks => Volatile.Read(ref _asks);

        public string Description => "sliding-window test store";

        public bool IsAvailable => true;

        public async ValueTask<DistributedAcquireResult> TryAcquireAsync(string policyName, string? partitionKey, RateLimitOptions options, int permits, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _asks);
            if (Hold is { } hold)
            {
                await hold.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            DateTimeOffset now = _clock.GetUtcNow();
            long windowStart = now.UtcTicks - TimeSpan.FromMilliseconds(options.WindowMs).Ticks;
            lock (_taken)
            {
                _taken.RemoveAll(t => t.At <= windowStart);
                int taken = _taken.Sum(t => t.Permits);
                int granted = Math.Max(0, Math.Min(permits, options.Permits - taken));
                if (granted > 0)
                {
                    _taken.Add((now.UtcTicks, granted));
                }

                var info = new RateLimitInfo(options.Permits, options.Permits - taken - granted, now + TimeSpan.FromMilliseconds(options.WindowMs), granted > 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(1));
                return granted > 0 ? DistributedAcquireResult.Admitted(info, granted) : DistributedAcquireResult.Rejected(info);
            }
        }

        public IDisposable Watch(DistributedCircuit circuit) => throw new NotSupportedException();

        public void Publish(DistributedCircuit circuit, CircuitState state, TimeSpan breakDuration) => throw new NotSupportedException();

        public Task<bool> TryTakeProbeLeaseAsync(DistributedCircuit circuit, TimeSpan lease) => throw new NotSupportedException();

        public void ReleaseProbeLease(DistributedCircuit circuit) => throw new NotSupportedException();
    }
}
