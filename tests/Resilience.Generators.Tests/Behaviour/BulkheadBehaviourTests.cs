namespace Resilience.Generators.Tests.Behaviour;

public partial class BulkheadSubject
{
    public const string TwoAtOnce = "behaviour-bulkhead-two-at-once";
    public const string QueueOfOne = "behaviour-bulkhead-queue-of-one";
    public const string MaxWait = "behaviour-bulkhead-max-wait";
    public const string QueueOfOneSyncName = "behaviour-bulkhead-queue-of-one-sync";
    public const string WithBreaker = "behaviour-bulkhead-with-breaker";

    public CoreScript Script { get; } = new();

    [Bulkhead(2, Name = TwoAtOnce)]
    public partial Task<int> TwoAtOnceAsync();

    private Task<int> TwoAtOnceAsyncCore() => Script.RunAsync();

    [Bulkhead(1, MaxQueue = 1, Name = QueueOfOne)]
    public partial Task<int> QueueOfOneAsync(CancellationToken cancellationToken);

    private Task<int> QueueOfOneAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Bulkhead(1, MaxQueue = 1, MaxWaitMs = 100, Name = MaxWait)]
    public partial Task<int> MaxWaitAsync();

    private Task<int> MaxWaitAsyncCore() => Script.RunAsync();

    [Bulkhead(1, MaxQueue = 1, Name = QueueOfOneSyncName)]
    public partial int QueueOfOneSync(CancellationToken cancellationToken);

    private int QueueOfOneSyncCore(CancellationToken cancellationToken) => Script.Run(cancellationToken);

    [CircuitBreaker(1, BreakDurationMs = 60_000)]
    [Bulkhead(1, Name = WithBreaker)]
    public partial Task<int> WithBreakerAsync();

    private Task<int> WithBreakerAsyncCore() => Script.RunAsync();
}

[Collection(RegistryCollection.Name)]
public sealed class BulkheadBehaviourTests : RegistryTest
{
    private readonly BulkheadSubject _subject = new();
    private readonly TaskCompletionSource<int> _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BulkheadBehaviourTests()
    {
        // Every call the bulkhead lets in stays inside until the test opens the gate.
        _subject.Script.Async = (_, _) => _gate.Task;
        _subject.Script.Sync = (_, _) => _gate.Task.WaitAsync(HangGuard).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task MaxConcurrency_calls_run_at_once_and_the_next_is_rejected_without_running()
    {
        Task<int> first = _subject.TwoAtOnceAsync();
        Task<int> second = _subject.TwoAtOnceAsync();
        Assert.Equal(2, _subject.Script.Calls);
        Assert.Equal(2, Bulkhead(BulkheadSubject.TwoAtOnce).ActiveCount);

        BulkheadRejectedException rejection = await Assert.ThrowsAsync<BulkheadRejectedException>(() => _subject.TwoAtOnceAsync().WaitAsync(HangGuard));

        Assert.Equal(2, _subject.Script.Calls);
        Assert.Equal(BulkheadSubject.TwoAtOnce, rejection.PolicyName);
        Assert.Equal(2, rejection.MaxConcurrency);
        _gate.SetResult(5);
        Assert.Equal(new[] { 5, 5 }, await Task.WhenAll(first, second).WaitAsync(HangGuard));
        Assert.Equal(0, Bulkhead(BulkheadSubject.TwoAtOnce).ActiveCount);
    }

    [Fact]
    public async Task MaxQueue_calls_wait_for_a_slot_and_run_when_one_frees()
    {
        Task<int> running = _subject.QueueOfOneAsync(CancellationToken.None);
        Task<int> queued = _subject.QueueOfOneAsync(CancellationToken.None);
        Assert.Equal(1, _subject.Script.Calls);
        Assert.Equal(1, Bulkhead(BulkheadSubject.QueueOfOne).QueuedCount);
        Assert.False(queued.IsCompleted);

        BulkheadRejectedException rejection = await Assert.ThrowsAsync<BulkheadRejectedException>(() => _subject.QueueOfOneAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(1, rejection.MaxQueue);
        Assert.Equal(1, _subject.Script.Calls);

        _gate.SetResult(9);
        Assert.Equal(9, await running.WaitAsync(HangGuard));
        Assert.Equal(9, await queued.WaitAsync(HangGuard));
        Assert.Equal(2, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_queued_call_is_rejected_when_the_fake_clock_passes_MaxWaitMs()
    {
        Task<int> running = _subject.MaxWaitAsync();
        Task<int> queued = _subject.MaxWaitAsync();

        Clock.Advance(Ms(99));
        Assert.False(queued.IsCompleted);
        Clock.Advance(Ms(1));

        BulkheadRejectedException rejection = await Assert.ThrowsAsync<BulkheadRejectedException>(() => queued.WaitAsync(HangGuard));
        Assert.Equal(BulkheadSubject.MaxWait, rejection.PolicyName);
        Assert.Equal(1, _subject.Script.Calls);
        Assert.Equal(0, Bulkhead(BulkheadSubject.MaxWait).QueuedCount);
        _gate.SetResult(1);
        Assert.Equal(1, await running.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_queued_callers_cancellation_ends_its_wait_with_OperationCanceledException()
    {
        using var caller = new CancellationTokenSource();
        Task<int> running = _subject.QueueOfOneAsync(CancellationToken.None);
        Task<int> queued = _subject.QueueOfOneAsync(caller.Token);

        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(HangGuard));
        Assert.Equal(0, Bulkhead(BulkheadSubject.QueueOfOne).QueuedCount);
        Assert.Equal(1, _subject.Script.Calls);
        _gate.SetResult(3);
        Assert.Equal(3, await running.WaitAsync(HangGuard));

        // The abandoned wait did not keep the slot.
        Assert.Equal(3, await _subject.QueueOfOneAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(2, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_synchronous_method_waits_in_the_queue_and_rejects_beyond_it()
    {
        Task<int> running = Task.Run(() => _subject.QueueOfOneSync(CancellationToken.None));
        WaitUntil(() => _subject.Script.Calls == 1, "the first call is inside the bulkhead");
        Task<int> queued = Task.Run(() => _subject.QueueOfOneSync(CancellationToken.None));
        WaitUntil(() => Bulkhead(BulkheadSubject.QueueOfOneSyncName).QueuedCount == 1, "the second call is queued");

        Assert.Throws<BulkheadRejectedException>(() => _subject.QueueOfOneSync(CancellationToken.None));

        Assert.Equal(1, _subject.Script.Calls);
        _gate.SetResult(4);
        Assert.Equal(new[] { 4, 4 }, await Task.WhenAll(running, queued).WaitAsync(HangGuard));
        Assert.Equal(2, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_bulkhead_rejection_is_not_a_breaker_failure()
    {
        Task<int> running = _subject.WithBreakerAsync();

        await Assert.ThrowsAsync<BulkheadRejectedException>(() => _subject.WithBreakerAsync().WaitAsync(HangGuard));

        CircuitBreakerState breaker = Registry.CircuitBreaker(typeof(BulkheadSubject).FullName + "." + nameof(BulkheadSubject.WithBreakerAsync));
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetMetrics().Failures);
        _gate.SetResult(2);
        Assert.Equal(2, await running.WaitAsync(HangGuard));
        Assert.Equal(2, await _subject.WithBreakerAsync().WaitAsync(HangGuard));
    }
}
