namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// Methods whose first attempt starts synchronously and is handed to the async helper at each stage: a core that
/// throws before returning a task, a core still running, a bulkhead with no free slot, a breaker letting a probe in.
/// </summary>
public partial class SynchronousStartSubject
{
    public const string Stack = "sync-start-stack";
    public const string Probe = "sync-start-probe";
    public const string NullTask = "sync-start-null-task";
    public const string OpenWithFallback = "sync-start-open-with-fallback";

    /// <summary>What the fallbacks do: (the failure they were given) → result.</summary>
    public Func<Exception, int> Recover { get; set; } = static _ => -1;

    public Exception? Recovered { get; private set; }

    [CircuitBreaker(1, BreakDurationMs = 60_000, Name = OpenWithFallback)]
    [Fallback(nameof(RecoverValue))]
    public partial ValueTask<int> OpenValueAsync();

    private ValueTask<int> OpenValueAsyncCore() => new(Script.RunAsync());

    [CircuitBreaker(1, BreakDurationMs = 60_000, Name = OpenWithFallback)]
    [Fallback(nameof(RecoverNothing))]
    public partial Task OpenNoResultAsync();

    private Task OpenNoResultAsyncCore() => Script.RunAsync();

    private int RecoverValue(Exception error)
    {
        Recovered = error;
        return Recover(error);
    }

    private void RecoverNothing(Exception error) => RecoverValue(error);

    public CoreScript Script { get; } = new();

    /// <summary>Runs instead of <see cref="Script"/> in the cores that may throw before returning a task.</summary>
    public Func<int, Task<int>> Throwing { get; set; } = static call => Task.FromResult(call);

    private int _throwingCalls;

    public int ThrowingCalls => _throwingCalls;

    [Retry(2, DelayMs = 0, Jitter = false)]
    public partial Task<int> RetriedAsync();

    private Task<int> RetriedAsyncCore() => Throwing(Interlocked.Increment(ref _throwingCalls));

    [Retry(2, DelayMs = 0, Jitter = false)]
    public partial ValueTask<int> ThrowsEveryOtherAsync();

    private int _everyOther;

    private ValueTask<int> ThrowsEveryOtherAsyncCore()
        => ++_everyOther % 2 == 1 ? throw new SynchronousThrowException() : new(_everyOther);

    [Timeout(1_000)]
    public partial ValueTask<int> NotRetriedAsync();

    private ValueTask<int> NotRetriedAsyncCore() => new(Throwing(Interlocked.Increment(ref _throwingCalls)));

    [Timeout(1_000)]
    public partial Task NoResultAsync();

    private Task NoResultAsyncCore() => Throwing(Interlocked.Increment(ref _throwingCalls));

    [Bulkhead(1, Name = NullTask)]
    [Timeout(1_000)]
    public partial Task<int> NullTaskAsync();

    private Task<int> NullTaskAsyncCore() => null!;

    [Retry(2, DelayMs = 0, Jitter = false)]
    [CircuitBreaker(5, Name = Stack)]
    [Bulkhead(1, MaxQueue = 1, Name = Stack)]
    [Timeout(1_000)]
    public partial Task<int> StackAsync(CancellationToken cancellationToken);

    private Task<int> StackAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Retry(3, DelayMs = 0, Jitter = false)]
    [Timeout(1_000, Scope = TimeoutScope.Total)]
    public partial ValueTask<int> TotalAsync(CancellationToken cancellationToken);

    private ValueTask<int> TotalAsyncCore(CancellationToken cancellationToken) => new(Script.RunAsync(cancellationToken));

    [CircuitBreaker(1, BreakDurationMs = 1_000, Name = Probe)]
    public partial ValueTask<int> ProbeAsync();

    private ValueTask<int> ProbeAsyncCore() => new(Script.RunAsync());
}

[Collection(RegistryCollection.Name)]
public sealed class SynchronousStartTests : RegistryTest
{
    private readonly SynchronousStartSubject _subject = new();
    private readonly TaskCompletionSource<int> _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public void A_core_that_completes_at_once_has_its_own_task_returned()
    {
        var own = Task.FromResult(17);
        _subject.Throwing = _ => own;

        Assert.Same(own, _subject.RetriedAsync());
    }

    [Fact]
    public async Task A_core_that_throws_before_returning_a_task_is_retried_and_nothing_is_thrown_at_the_call()
    {
        _subject.Throwing = call => call == 1 ? throw new InvalidOperationException("first") : Task.FromResult(call * 10);

        Task<int> call = _subject.RetriedAsync();

        Assert.Equal(20, await call.WaitAsync(HangGuard));
        Assert.Equal(2, _subject.ThrowingCalls);
    }

    [Fact]
    public async Task After_a_core_has_thrown_once_its_failures_are_thrown_once_instead_of_caught_and_thrown_again()
    {
        int thrown = 0;
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is SynchronousThrowException)
            {
                Interlocked.Increment(ref thrown);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            Assert.Equal(2, await _subject.ThrowsEveryOtherAsync().AsTask().WaitAsync(HangGuard));
            Assert.Equal(2, Volatile.Read(ref thrown));

            Assert.Equal(4, await _subject.ThrowsEveryOtherAsync().AsTask().WaitAsync(HangGuard));
            Assert.Equal(3, Volatile.Read(ref thrown));
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }
    }

    [Fact]
    public async Task Without_a_retry_a_synchronous_throw_faults_the_returned_task_with_the_same_exception()
    {
        var thrown = new InvalidOperationException("at once");
        _subject.Throwing = _ => throw thrown;

        ValueTask<int> valueTask = _subject.NotRetriedAsync();
        Task noResult = _subject.NoResultAsync();

        Assert.True(valueTask.IsFaulted);
        Assert.Same(thrown, await Assert.ThrowsAsync<InvalidOperationException>(() => valueTask.AsTask().WaitAsync(HangGuard)));
        Assert.True(noResult.IsFaulted);
        Assert.Same(thrown, await Assert.ThrowsAsync<InvalidOperationException>(() => noResult.WaitAsync(HangGuard)));
    }

    [Fact]
    public async Task A_core_that_returns_a_null_task_fails_the_call_and_gives_its_slot_back()
    {
        Task<int> first = _subject.NullTaskAsync();
        Task<int> second = _subject.NullTaskAsync();

        await Assert.ThrowsAsync<NullReferenceException>(() => first.WaitAsync(HangGuard));
        await Assert.ThrowsAsync<NullReferenceException>(() => second.WaitAsync(HangGuard));
        Assert.Equal(0, Bulkhead(SynchronousStartSubject.NullTask).ActiveCount);
    }

    [Fact]
    public async Task An_open_circuit_is_answered_by_the_fallback_at_once_and_counted_once()
    {
        _subject.Script.Async = (_, _) => Task.FromException<int>(new IOException("down"));
        Assert.Equal(-1, await _subject.OpenValueAsync().AsTask().WaitAsync(HangGuard));
        CircuitBreakerState breaker = Registry.CircuitBreaker(SynchronousStartSubject.OpenWithFallback);
        Assert.Equal(CircuitState.Open, breaker.State);
        _subject.Recover = _ => 7;

        ValueTask<int> refused = _subject.OpenValueAsync();
        Task refusedWithoutResult = _subject.OpenNoResultAsync();

        Assert.True(refused.IsCompletedSuccessfully);
        Assert.Equal(7, await refused);
        Assert.True(refusedWithoutResult.IsCompletedSuccessfully);
        Assert.IsType<BrokenCircuitException>(_subject.Recovered);
        Assert.Equal(1, _subject.Script.Calls);
        Assert.Equal(2, breaker.GetMetrics().Rejections);
    }

    [Fact]
    public async Task A_fallback_that_throws_for_an_open_circuit_faults_the_returned_task_instead_of_throwing()
    {
        Registry.CircuitBreaker(SynchronousStartSubject.OpenWithFallback).Isolate();
        var thrown = new InvalidOperationException("no cache either");
        _subject.Recover = _ => throw thrown;

        ValueTask<int> refused = _subject.OpenValueAsync();
        Task refusedWithoutResult = _subject.OpenNoResultAsync();

        Assert.Same(thrown, await Assert.ThrowsAsync<InvalidOperationException>(() => refused.AsTask().WaitAsync(HangGuard)));
        Assert.Same(thrown, await Assert.ThrowsAsync<InvalidOperationException>(() => refusedWithoutResult.WaitAsync(HangGuard)));
        Assert.Equal(0, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_core_still_running_keeps_its_slot_and_permit_until_it_completes()
    {
        _subject.Script.Async = (_, _) => _gate.Task;

        Task<int> call = _subject.StackAsync(CancellationToken.None);

        Assert.False(call.IsCompleted);
        Assert.Equal(1, Bulkhead(SynchronousStartSubject.Stack).ActiveCount);
        _gate.SetResult(8);
        Assert.Equal(8, await call.WaitAsync(HangGuard));
        Assert.Equal(0, Bulkhead(SynchronousStartSubject.Stack).ActiveCount);
        CircuitBreakerMetrics metrics = Registry.CircuitBreaker(SynchronousStartSubject.Stack).GetMetrics();
        Assert.Equal(1, metrics.Successes);
        Assert.Equal(0, metrics.Failures);
    }

    [Fact]
    public async Task The_timeout_started_synchronously_cancels_the_running_core_and_the_retry_starts_every_stage_again()
    {
        var tokens = new List<CancellationToken>();
        _subject.Script.Async = (call, token) =>
        {
            tokens.Add(token);
            return call == 1 ? CoreScript.UntilCancelled(token) : Task.FromResult(call);
        };

        Task<int> call = _subject.StackAsync(CancellationToken.None);
        Clock.Advance(Ms(999));
        Assert.False(call.IsCompleted);
        Clock.Advance(Ms(1));

        Assert.Equal(2, await call.WaitAsync(HangGuard));
        Assert.Equal(2, tokens.Count);
        Assert.True(tokens[0].IsCancellationRequested);
        Assert.False(tokens[1].IsCancellationRequested);
        Assert.Equal(0, Bulkhead(SynchronousStartSubject.Stack).ActiveCount);
        CircuitBreakerMetrics metrics = Registry.CircuitBreaker(SynchronousStartSubject.Stack).GetMetrics();
        Assert.Equal(1, metrics.Failures);
        Assert.Equal(1, metrics.Successes);
    }

    [Fact]
    public async Task A_call_finding_the_bulkhead_full_queues_with_its_breaker_permit_and_runs_when_a_slot_frees()
    {
        _subject.Script.Async = (call, _) => call == 1 ? _gate.Task : Task.FromResult(call);

        Task<int> running = _subject.StackAsync(CancellationToken.None);
        Task<int> queued = _subject.StackAsync(CancellationToken.None);

        Assert.Equal(1, Bulkhead(SynchronousStartSubject.Stack).QueuedCount);
        Assert.Equal(1, _subject.Script.Calls);
        _gate.SetResult(1);
        Assert.Equal(1, await running.WaitAsync(HangGuard));
        Assert.Equal(2, await queued.WaitAsync(HangGuard));
        Assert.Equal(0, Bulkhead(SynchronousStartSubject.Stack).ActiveCount);
        Assert.Equal(2, Registry.CircuitBreaker(SynchronousStartSubject.Stack).GetMetrics().Successes);
    }

    [Fact]
    public async Task A_total_timeout_started_synchronously_ends_the_call_across_retries()
    {
        _subject.Script.Async = (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.TotalAsync(CancellationToken.None).AsTask();
        Clock.Advance(Ms(1_000));

        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(TimeoutScope.Total, timeout.Scope);
        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_probe_let_in_synchronously_and_still_running_closes_the_breaker_and_a_refused_call_is_counted_once()
    {
        _subject.Script.Async = (call, _) => call == 1 ? Task.FromException<int>(new IOException("down")) : _gate.Task;
        await Assert.ThrowsAsync<IOException>(() => _subject.ProbeAsync().AsTask().WaitAsync(HangGuard));
        CircuitBreakerState breaker = Registry.CircuitBreaker(SynchronousStartSubject.Probe);
        Assert.Equal(CircuitState.Open, breaker.State);

        Clock.Advance(Ms(1_000));
        ValueTask<int> probe = _subject.ProbeAsync();
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.ProbeAsync().AsTask().WaitAsync(HangGuard));
        Assert.Equal(1, breaker.GetMetrics().Rejections);
        _gate.SetResult(4);

        Assert.Equal(4, await probe.AsTask().WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Closed, breaker.State);
    }
}

/// <summary>Thrown only by <see cref="SynchronousStartSubject.ThrowsEveryOtherAsync"/>'s core, so that its throws can be counted.</summary>
public sealed class SynchronousThrowException : Exception
{
    public SynchronousThrowException()
        : base("thrown before a task was returned")
    {
    }
}
