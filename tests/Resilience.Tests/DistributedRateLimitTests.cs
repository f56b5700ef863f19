using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>
/// A distributed rate limit against a store: calls the store turns away wait its retry-after in the queue, the limit's
/// info is the store's last answer moved on by the time since, the blocking form asks the store too, a batch asks
/// ahead at a quarter of its size, and the calls waiting for the store and those in the local queue share one queue
/// limit when the limit is switched between distributed and local.
/// </summary>
public sealed class DistributedRateLimitTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;
    private readonly FakeDistributedStore _store;

    public DistributedRateLimitTests()
    {
        _registry = TestSupport.CreateRegistry(out _clock);
        _store = new FakeDistributedStore(_clock);
        _registry.UseDistributedStore(_store);
    }

    [Fact]
    public async Task A_call_the_store_turns_away_waits_in_the_queue_for_the_stores_retry_after_and_then_asks_again()
    {
        // The fake clock starts on a whole second: the store's window ends a second from now.
        RateLimiterState limiter = Limiter(permits: 1, queueLimit: 1);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        ValueTask<bool> waiting = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, limiter.QueuedCount);
        Assert.False(await limiter.AcquireAsync(CancellationToken.None).Guarded(), "the queue holds one call");
        Assert.Equal(1, limiter.RejectionCount);

        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(waiting.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await waiting.Guarded());
        Assert.Equal(0, limiter.QueuedCount);
        // The first call, the one turned away (asked once, then once more at the retry-after), the one rejected.
        Assert.Equal(new[] { 1, 1, 1, 1 }, _store.Asked);
    }

    [Fact]
    public async Task A_call_the_store_turns_away_with_no_time_left_asks_again_a_millisecond_later_not_at_once()
    {
        RateLimiterState limiter = Limiter(permits: 1, queueLimit: 1);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        // Three times over, the store gives the window's end as now: no time left to wait, yet no permit either.
        for (int i = 0; i < 3; i++)
        {
            _store.ReportNextResetOff(TimeSpan.FromSeconds(-1));
        }

        ValueTask<bool> waiting = limiter.AcquireAsync(CancellationToken.None);

        Assert.False(waiting.IsCompleted);
        Assert.Equal(2, _store.Asked.Count);   // the first call, and this one once: it waits before asking again
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        TestSupport.SpinUntil(() => _store.Asked.Count == 3, "the call asks the store again");
    }

    [Fact]
    public async Task A_call_made_from_a_blocked_ui_thread_that_the_store_turns_away_completes_after_the_stores_retry_after()
    {
        RateLimiterState limiter = Limiter(permits: 1, queueLimit: 1);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        var ui = new BlockedSynchronizationContext();

        ValueTask<bool> call = ui.Start(() => limiter.AcquireAsync(CancellationToken.None));
        Assert.False(call.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await call.Guarded());
        Assert.Equal(0, ui.Posted);
    }

    [Fact]
    public async Task A_call_the_store_turns_away_waits_its_retry_after_before_asking_again_and_its_partition_is_not_idle_meanwhile()
    {
        RateLimiterState limiter = Limiter(permits: 1, queueLimit: 1);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        ValueTask<bool> waiting = limiter.AcquireAsync(CancellationToken.None);
        int asked = _store.Asked.Count;

        // Moved from a thread without a synchronization context, so that a wait ending runs its call on to its next
        // wait before Advance returns (from the test's thread it would go on on another thread, later).
        await Task.Run(() => _clock.Advance(TimeSpan.FromMilliseconds(999)));

        Assert.False(waiting.IsCompleted);
        Assert.Equal(asked, _store.Asked.Count);
        Assert.False(limiter.TryRetire(), "a partition with a call waiting for the store is not swept");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await waiting.Guarded());
        Assert.Equal(asked + 1, _store.Asked.Count);
    }

    [Fact]
    public async Task Calls_waiting_for_the_store_count_against_the_queue_limit_after_the_limit_turns_local()
    {
        RateLimiterState limiter = Limiter(permits: 1, queueLimit: 1);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        ValueTask<bool> waitingForStore = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(waitingForStore.IsCompleted);

        _registry.Configure(new Dictionary<string, PolicySettings> { ["shared"] = new() { Distributed = false } });
        Assert.True(limiter.AcquireAsync(CancellationToken.None).ResultNow(), "the local count starts full");

        Assert.False(limiter.AcquireAsync(CancellationToken.None).ResultNow(), "the queue holds one call, and one waits already");
        Assert.Equal(1, limiter.QueuedCount);
        Assert.Equal(1, limiter.RejectionCount);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await waitingForStore.Guarded());
    }

    [Fact]
    public async Task A_call_waiting_for_the_store_when_the_limit_turns_local_takes_its_permit_from_the_local_count()
    {
        RateLimiterState limiter = Limiter(permits: 1, queueLimit: 1);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());
        ValueTask<bool> waitingForStore = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(waitingForStore.IsCompleted);
        int asked = _store.Asked.Count;

        _registry.Configure(new Dictionary<string, PolicySettings> { ["shared"] = new() { Distributed = false } });
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await waitingForStore.Guarded());
        Assert.Equal(asked, _store.Asked.Count);
        Assert.False(limiter.TryAcquire(), "the waiting call took the local window's one permit");
    }

    [Fact]
    public async Task Calls_left_in_the_local_queue_count_against_the_queue_limit_after_the_limit_turns_distributed()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("switched", new RateLimitOptions { Permits = 1, WindowMs = 1_000, QueueLimit = 2 });
        Assert.True(limiter.TryAcquire());
        ValueTask<bool> servedBySwitch = limiter.AcquireAsync(CancellationToken.None);
        ValueTask<bool> leftInQueue = limiter.AcquireAsync(CancellationToken.None);

        // The new settings start from a full count: its one permit goes to the first call waiting, the second stays.
        _registry.Configure(new Dictionary<string, PolicySettings> { ["switched"] = new() { Distributed = true } });
        Assert.True(await servedBySwitch.Guarded());
        Assert.False(leftInQueue.IsCompleted);

        Assert.True(limiter.AcquireAsync(CancellationToken.None).ResultNow(), "the store's permit");
        ValueTask<bool> waitingForStore = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(waitingForStore.IsCompleted);
        Assert.False(limiter.AcquireAsync(CancellationToken.None).ResultNow(), "the queue holds two calls, and two wait already");
        Assert.Equal(2, limiter.QueuedCount);
        Assert.Equal(1, limiter.RejectionCount);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await leftInQueue.Guarded());
        Assert.True(await waitingForStore.Guarded());
    }

    [Fact]
    public async Task The_info_is_the_stores_last_answer_with_its_times_moved_on_and_whole_again_at_its_reset()
    {
        RateLimiterState limiter = Limiter(permits: 1, queueLimit: 0);
        DateTimeOffset resetAt = _clock.GetUtcNow() + TimeSpan.FromSeconds(1);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        _clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(new RateLimitInfo(1, 0, resetAt, TimeSpan.Zero), limiter.GetLimitInfo());

        Assert.False(await limiter.AcquireAsync(CancellationToken.None).Guarded());   // answered: wait 700 ms
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(new RateLimitInfo(1, 0, resetAt, TimeSpan.FromMilliseconds(500)), limiter.GetLimitInfo());

        _clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(new RateLimitInfo(1, 1, resetAt, TimeSpan.Zero), limiter.GetLimitInfo());
    }

    [Fact]
    public void The_blocking_form_asks_the_store_for_each_permit()
    {
        RateLimiterState limiter = Limiter(permits: 2, queueLimit: 0);

        Assert.True(limiter.Acquire(CancellationToken.None));
        Assert.True(limiter.Acquire(CancellationToken.None));
        Assert.False(limiter.Acquire(CancellationToken.None));

        Assert.Equal(new[] { 1, 1, 1 }, _store.Asked);
        Assert.Equal(1, limiter.RejectionCount);
    }

    [Fact]
    public void The_blocking_form_hands_out_the_batch_and_a_batch_under_four_permits_is_not_asked_for_ahead()
    {
        RateLimiterState limiter = Limiter(permits: 100, queueLimit: 0, batch: 3);

        for (int i = 0; i < 3; i++)
        {
            Assert.True(limiter.Acquire(CancellationToken.None));
        }

        Assert.Equal(new[] { 3 }, _store.Asked);
        Assert.True(limiter.Acquire(CancellationToken.None));
        Assert.Equal(new[] { 3, 3 }, _store.Asked);
    }

    [Fact]
    public async Task A_batch_of_four_asks_for_the_next_one_when_one_permit_is_left()
    {
        RateLimiterState limiter = Limiter(permits: 100, queueLimit: 0, batch: 4);

        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());    // takes 4, keeps 3
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());    // 2 left
        Assert.Equal(new[] { 4 }, _store.Asked);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());    // 1 left: asks ahead

        Assert.Equal(new[] { 4, 4 }, _store.Asked);
    }

    [Fact]
    public async Task A_sliding_window_batch_lasts_its_lease_even_past_the_reset_the_store_reported()
    {
        // The fake clock starts on a whole minute; 300 ms before the next one, the store reports its count's reset then.
        // A sliding window's batch keeps its lease regardless (only a fixed window's batch ends with the window).
        _clock.Advance(TimeSpan.FromMilliseconds(59_700));
        RateLimiterState limiter = Limiter(permits: 100, queueLimit: 0, batch: 10, windowMs: 60_000);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None).Guarded());

        _clock.Advance(TimeSpan.FromMilliseconds(500));

        Assert.True(limiter.TryAcquire(), "the batch's lease (a second) has not ended");
        Assert.Single(_store.Asked);
    }

    [Fact]
    public async Task A_local_call_waiting_in_the_queue_is_served_as_soon_as_new_settings_give_a_permit()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("local", new RateLimitOptions { Permits = 1, WindowMs = 60_000, QueueLimit = 1 });
        Assert.True(limiter.TryAcquire());
        ValueTask<bool> waiting = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        _registry.Configure(new Dictionary<string, PolicySettings> { ["local"] = new PolicySettings { Permits = 2 } });

        Assert.True(await waiting.Guarded());
        Assert.Equal(0, limiter.QueuedCount);
    }

    [Fact]
    public async Task A_call_made_from_a_blocked_ui_thread_completes_when_the_store_answers_later()
    {
        RateLimiterState limiter = Limiter(permits: 10, queueLimit: 0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Hold = release.Task;
        var ui = new BlockedSynchronizationContext();

        ValueTask<bool> call = ui.Start(() => limiter.AcquireAsync(CancellationToken.None));
        release.SetResult();

        Assert.True(await call.Guarded());
        Assert.Equal(0, ui.Posted);
    }

    [Fact]
    public void A_batch_asked_for_ahead_from_a_blocked_ui_thread_still_arrives()
    {
        RateLimiterState limiter = Limiter(permits: 100, queueLimit: 0, batch: 4);
        Assert.True(limiter.Acquire(CancellationToken.None));          // takes 4, keeps 3
        Assert.True(limiter.Acquire(CancellationToken.None));          // 2 left
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Hold = release.Task;
        var ui = new BlockedSynchronizationContext();

        Assert.True(ui.Start(() => limiter.TryAcquire()));              // 1 left: asks ahead, held back by the store
        _store.Hold = null;
        release.SetResult();

        // The 1 left and the new batch of 4: five calls served here (a distributed TryAcquire never asks the store itself).
        TestSupport.SpinUntil(() => _store.Asked.Count == 2 && limiter.GetLimitInfo().Remaining == 92, "the batch asked ahead arrives");
        for (int i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        Assert.Equal(0, ui.Posted);
    }

    private RateLimiterState Limiter(int permits, int queueLimit, int batch = 0, int windowMs = 1_000)
        => _registry.GetOrAddRateLimiter(
            "shared",
            new RateLimitOptions { Permits = permits, WindowMs = windowMs, QueueLimit = queueLimit, DistributedBatch = batch, Distributed = true });
}
