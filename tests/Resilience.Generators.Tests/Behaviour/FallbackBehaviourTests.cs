using System.Collections.Concurrent;

namespace Resilience.Generators.Tests.Behaviour;

public partial class FallbackSubject
{
    public const string FullBulkhead = "behaviour-fallback-bulkhead";
    public const string FullBulkheadSync = "behaviour-fallback-bulkhead-sync";

    private int _fallbackCalls;

    public CoreScript Script { get; } = new();

    /// <summary>The exceptions the fallbacks that take one received, in order.</summary>
    public ConcurrentQueue<Exception> Received { get; } = new();

    public int FallbackCalls => Volatile.Read(ref _fallbackCalls);

    // ---- Shapes: what the fallback returns -------------------------------------------------

    [Fallback(nameof(Negate))]
    public partial Task<int> TaskToValueAsync(int x);

    private Task<int> TaskToValueAsyncCore(int x) => Script.RunAsync();

    [Fallback(nameof(NegateWithError))]
    public partial Task<int> TaskToValueWithErrorAsync(int x);

    private Task<int> TaskToValueWithErrorAsyncCore(int x) => Script.RunAsync();

    [Fallback(nameof(NegateAsTask))]
    public partial Task<int> TaskToTaskAsync(int x);

    private Task<int> TaskToTaskAsyncCore(int x) => Script.RunAsync();

    [Fallback(nameof(NegateWithError))]
    public partial ValueTask<int> ValueTaskToValueAsync(int x);

    private ValueTask<int> ValueTaskToValueAsyncCore(int x) => new(Script.RunAsync());

    [Fallback(nameof(NegateAsValueTask))]
    public partial ValueTask<int> ValueTaskToValueTaskAsync(int x);

    private ValueTask<int> ValueTaskToValueTaskAsyncCore(int x) => new(Script.RunAsync());

    [Fallback(nameof(Negate))]
    public partial int SyncToValue(int x);

    private int SyncToValueCore(int x) => Script.Run();

    [Fallback(nameof(Nothing))]
    public partial void VoidMethod(int x);

    private void VoidMethodCore(int x) => Script.Run();

    [Fallback(nameof(NothingAsync))]
    public partial Task TaskMethodAsync(int x);

    private Task TaskMethodAsyncCore(int x) => Script.RunAsync();

    [Fallback(nameof(Nothing))]
    public partial Task TaskMethodToVoidAsync(int x);

    private Task TaskMethodToVoidAsyncCore(int x) => Script.RunAsync();

    [Fallback(nameof(NothingAsValueTask))]
    public partial ValueTask ValueTaskMethodAsync(int x);

    private ValueTask ValueTaskMethodAsyncCore(int x) => new(Script.RunAsync());

    // ---- Rejections -------------------------------------------------------------------------

    [CircuitBreaker(1, BreakDurationMs = 60_000)]
    [Fallback(nameof(NegateWithError))]
    public partial Task<int> OpenCircuitAsync(int x);

    private Task<int> OpenCircuitAsyncCore(int x) => Script.RunAsync();

    [CircuitBreaker(1, BreakDurationMs = 60_000)]
    [Fallback(nameof(NegateWithError))]
    public partial int OpenCircuitSync(int x);

    private int OpenCircuitSyncCore(int x) => Script.Run();

    [Bulkhead(1, Name = FullBulkhead)]
    [Fallback(nameof(NegateWithError))]
    public partial Task<int> FullBulkheadAsync(int x);

    private Task<int> FullBulkheadAsyncCore(int x) => Script.RunAsync();

    [Bulkhead(1, Name = FullBulkheadSync)]
    [CircuitBreaker(5)]
    [Fallback(nameof(NegateWithError))]
    public partial int FullBulkheadSyncWithBreaker(int x);

    private int FullBulkheadSyncWithBreakerCore(int x) => Script.Run();

    [RateLimit(1, 60_000)]
    [Fallback(nameof(NegateWithError))]
    public partial Task<int> ExhaustedRateLimitAsync(int x);

    private Task<int> ExhaustedRateLimitAsyncCore(int x) => Script.RunAsync();

    [RateLimit(1, 60_000)]
    [Fallback(nameof(NegateWithError))]
    public partial int ExhaustedRateLimitSync(int x);

    private int ExhaustedRateLimitSyncCore(int x) => Script.Run();

    [RateLimit(1, 60_000)]
    public partial Task<int> RateLimitWithoutFallbackAsync(int x);

    private Task<int> RateLimitWithoutFallbackAsyncCore(int x) => Script.RunAsync();

    // ---- Handle and cancellation ------------------------------------------------------------

    [CircuitBreaker(1, BreakDurationMs = 60_000)]
    [Fallback(nameof(NegateWithError), Handle = new[] { typeof(ResilienceRejectedException) })]
    public partial Task<int> OnlyRejectionsAsync(int x);

    private Task<int> OnlyRejectionsAsyncCore(int x) => Script.RunAsync();

    [CircuitBreaker(2, BreakDurationMs = 60_000)]
    [Fallback(nameof(NegateWithError), Handle = new[] { typeof(IOException) })]
    public partial Task<int> OnlyIoAsync(int x);

    private Task<int> OnlyIoAsyncCore(int x) => Script.RunAsync();

    [Fallback(nameof(NegateWithTokenAndError))]
    public partial Task<int> CancellableAsync(int x, CancellationToken cancellationToken);

    private Task<int> CancellableAsyncCore(int x, CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Timeout(100)]
    [Fallback(nameof(NegateWithTokenAndError))]
    public partial Task<int> TimeoutAsync(int x, CancellationToken cancellationToken);

    private Task<int> TimeoutAsyncCore(int x, CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Retry(3, DelayMs = 0)]
    [Fallback(nameof(NegateWithError))]
    public partial Task<int> RetriedAsync(int x);

    private Task<int> RetriedAsyncCore(int x) => Script.RunAsync();

    // ---- The fallbacks ----------------------------------------------------------------------

    private int Negate(int x)
    {
        Interlocked.Increment(ref _fallbackCalls);
        return -x;
    }

    private int NegateWithError(int x, Exception error)
    {
        Received.Enqueue(error);
        return Negate(x);
    }

    private int NegateWithTokenAndError(int x, CancellationToken cancellationToken, Exception error) => NegateWithError(x, error);

    private Task<int> NegateAsTask(int x, Exception error) => Task.FromResult(NegateWithError(x, error));

    private ValueTask<int> NegateAsValueTask(int x) => new(Negate(x));

    private void Nothing(int x) => Negate(x);

    private Task NothingAsync(int x, Exception error)
    {
        NegateWithError(x, error);
        return Task.CompletedTask;
    }

    private ValueTask NothingAsValueTask(int x, Exception error)
    {
        NegateWithError(x, error);
        return default;
    }
}

[Collection(RegistryCollection.Name)]
public sealed class FallbackBehaviourTests : RegistryTest
{
    private readonly FallbackSubject _subject = new();
    private readonly IOException _failure = new("down");

    public FallbackBehaviourTests()
    {
        _subject.Script.Async = (_, _) => Task.FromException<int>(_failure);
        _subject.Script.Sync = (_, _) => throw _failure;
    }

    [Fact]
    public async Task The_core_result_is_returned_when_it_succeeds()
    {
        _subject.Script.Async = static (_, _) => Task.FromResult(8);

        Assert.Equal(8, await _subject.TaskToValueAsync(3).WaitAsync(HangGuard));
        Assert.Equal(0, _subject.FallbackCalls);
    }

    [Fact]
    public async Task A_Task_of_T_method_answers_with_a_fallback_returning_T_without_the_exception()
    {
        Assert.Equal(-3, await _subject.TaskToValueAsync(3).WaitAsync(HangGuard));
        Assert.Equal(1, _subject.FallbackCalls);
    }

    [Fact]
    public async Task A_Task_of_T_method_answers_with_a_fallback_returning_T_that_receives_the_failure()
    {
        Assert.Equal(-3, await _subject.TaskToValueWithErrorAsync(3).WaitAsync(HangGuard));
        Assert.Same(_failure, Assert.Single(_subject.Received));
    }

    [Fact]
    public async Task A_Task_of_T_method_answers_with_a_fallback_returning_Task_of_T()
    {
        Assert.Equal(-4, await _subject.TaskToTaskAsync(4).WaitAsync(HangGuard));
        Assert.Same(_failure, Assert.Single(_subject.Received));
    }

    [Fact]
    public async Task A_ValueTask_of_T_method_answers_with_a_fallback_returning_T()
    {
        Assert.Equal(-5, await _subject.ValueTaskToValueAsync(5).AsTask().WaitAsync(HangGuard));
        Assert.Same(_failure, Assert.Single(_subject.Received));
    }

    [Fact]
    public async Task A_ValueTask_of_T_method_answers_with_a_fallback_returning_ValueTask_of_T()
    {
        Assert.Equal(-6, await _subject.ValueTaskToValueTaskAsync(6).AsTask().WaitAsync(HangGuard));
        Assert.Equal(1, _subject.FallbackCalls);
    }

    [Fact]
    public void A_synchronous_method_answers_with_its_fallback()
    {
        Assert.Equal(-7, _subject.SyncToValue(7));
        Assert.Equal(1, _subject.FallbackCalls);
    }

    [Fact]
    public void A_void_method_runs_its_fallback_instead_of_throwing()
    {
        _subject.VoidMethod(1);

        Assert.Equal(1, _subject.Script.Calls);
        Assert.Equal(1, _subject.FallbackCalls);
    }

    [Fact]
    public async Task A_Task_method_runs_its_Task_fallback_instead_of_failing()
    {
        await _subject.TaskMethodAsync(1).WaitAsync(HangGuard);

        Assert.Same(_failure, Assert.Single(_subject.Received));
    }

    [Fact]
    public async Task A_Task_method_runs_a_void_fallback_instead_of_failing()
    {
        await _subject.TaskMethodToVoidAsync(1).WaitAsync(HangGuard);

        Assert.Equal(1, _subject.FallbackCalls);
    }

    [Fact]
    public async Task A_ValueTask_method_runs_its_ValueTask_fallback_instead_of_failing()
    {
        await _subject.ValueTaskMethodAsync(1).AsTask().WaitAsync(HangGuard);

        Assert.Same(_failure, Assert.Single(_subject.Received));
    }

    [Fact]
    public async Task The_fallback_receives_the_last_failure_after_the_retries()
    {
        var failures = new ConcurrentQueue<Exception>();
        _subject.Script.Async = (call, _) =>
        {
            var failure = new IOException("attempt " + call);
            failures.Enqueue(failure);
            return Task.FromException<int>(failure);
        };

        Assert.Equal(-1, await _subject.RetriedAsync(1).WaitAsync(HangGuard));

        Assert.Equal(3, failures.Count);
        Assert.Same(failures.Last(), Assert.Single(_subject.Received));
    }

    [Fact]
    public async Task The_first_chance_counter_sees_a_rejection_that_is_thrown()
    {
        // Proves the detector used below: without a fallback the rejection is thrown, and counted.
        using var rejections = new FirstChanceRejections();
        _subject.Script.Async = static (_, _) => Task.FromResult(1);
        await _subject.RateLimitWithoutFallbackAsync(1).WaitAsync(HangGuard);

        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.RateLimitWithoutFallbackAsync(1).WaitAsync(HangGuard));

        Assert.True(rejections.Count >= 1, "The first-chance counter did not see the rejection.");
    }

    [Fact]
    public async Task An_open_circuit_reaches_the_fallback_without_throwing()
    {
        using var rejections = new FirstChanceRejections();
        Assert.Equal(-1, await _subject.OpenCircuitAsync(1).WaitAsync(HangGuard));
        rejections.Clear();

        Assert.Equal(-2, await _subject.OpenCircuitAsync(2).WaitAsync(HangGuard));

        Assert.Equal(0, rejections.Count);
        Assert.Equal(1, _subject.Script.Calls);
        Exception[] received = _subject.Received.ToArray();
        Assert.Same(_failure, received[0]);
        BrokenCircuitException rejection = Assert.IsType<BrokenCircuitException>(received[1]);
        Assert.Equal(Ms(60_000), rejection.RetryAfter);
    }

    [Fact]
    public void An_open_circuit_reaches_a_synchronous_methods_fallback_without_throwing()
    {
        using var rejections = new FirstChanceRejections();
        Assert.Equal(-1, _subject.OpenCircuitSync(1));
        rejections.Clear();

        Assert.Equal(-2, _subject.OpenCircuitSync(2));

        Assert.Equal(0, rejections.Count);
        Assert.Equal(1, _subject.Script.Calls);
        Assert.IsType<BrokenCircuitException>(_subject.Received.Last());
    }

    [Fact]
    public async Task A_full_bulkhead_reaches_the_fallback_without_throwing()
    {
        using var rejections = new FirstChanceRejections();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _subject.Script.Async = (_, _) => gate.Task;
        Task<int> running = _subject.FullBulkheadAsync(1);

        Assert.Equal(-2, await _subject.FullBulkheadAsync(2).WaitAsync(HangGuard));

        Assert.Equal(0, rejections.Count);
        Assert.Equal(1, _subject.Script.Calls);
        BulkheadRejectedException rejection = Assert.IsType<BulkheadRejectedException>(Assert.Single(_subject.Received));
        Assert.Equal(FallbackSubject.FullBulkhead, rejection.PolicyName);
        gate.SetResult(1);
        Assert.Equal(1, await running.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_full_bulkhead_inside_a_breaker_reaches_a_synchronous_methods_fallback_without_throwing()
    {
        using var rejections = new FirstChanceRejections();
        using var gate = new ManualResetEventSlim();
        _subject.Script.Sync = (call, _) =>
        {
            gate.Wait(HangGuard);
            return call;
        };
        Task<int> running = Task.Run(() => _subject.FullBulkheadSyncWithBreaker(1));
        WaitUntil(() => _subject.Script.Calls == 1, "the first call is inside the bulkhead");

        Assert.Equal(-2, _subject.FullBulkheadSyncWithBreaker(2));

        Assert.Equal(0, rejections.Count);
        Assert.IsType<BulkheadRejectedException>(Assert.Single(_subject.Received));
        gate.Set();
        Assert.Equal(1, await running.WaitAsync(HangGuard));
        CircuitBreakerState breaker = Registry.CircuitBreaker(typeof(FallbackSubject).FullName + "." + nameof(FallbackSubject.FullBulkheadSyncWithBreaker));
        Assert.Equal(0, breaker.GetMetrics().Failures);
    }

    [Fact]
    public async Task An_exhausted_rate_limit_reaches_the_fallback_without_throwing()
    {
        using var rejections = new FirstChanceRejections();
        _subject.Script.Async = static (_, _) => Task.FromResult(1);
        Assert.Equal(1, await _subject.ExhaustedRateLimitAsync(1).WaitAsync(HangGuard));

        Assert.Equal(-2, await _subject.ExhaustedRateLimitAsync(2).WaitAsync(HangGuard));

        Assert.Equal(0, rejections.Count);
        Assert.Equal(1, _subject.Script.Calls);
        RateLimitRejectedException rejection = Assert.IsType<RateLimitRejectedException>(Assert.Single(_subject.Received));
        Assert.Equal(Ms(60_000), rejection.RetryAfter);
    }

    [Fact]
    public void An_exhausted_rate_limit_reaches_a_synchronous_methods_fallback_without_throwing()
    {
        using var rejections = new FirstChanceRejections();
        _subject.Script.Sync = static (_, _) => 1;
        Assert.Equal(1, _subject.ExhaustedRateLimitSync(1));

        Assert.Equal(-2, _subject.ExhaustedRateLimitSync(2));

        Assert.Equal(0, rejections.Count);
        Assert.IsType<RateLimitRejectedException>(Assert.Single(_subject.Received));
    }

    [Fact]
    public async Task Fallback_Handle_sends_only_the_listed_types_and_their_subclasses_to_the_fallback()
    {
        await Assert.ThrowsAsync<IOException>(() => _subject.OnlyRejectionsAsync(1).WaitAsync(HangGuard));
        Assert.Equal(0, _subject.FallbackCalls);

        // The failure opened the breaker: a BrokenCircuitException is a ResilienceRejectedException.
        Assert.Equal(-2, await _subject.OnlyRejectionsAsync(2).WaitAsync(HangGuard));
        Assert.IsType<BrokenCircuitException>(Assert.Single(_subject.Received));
    }

    [Fact]
    public async Task Fallback_Handle_lets_rejections_it_does_not_list_be_thrown()
    {
        _subject.Script.Async = static (call, _) => call == 1
            ? Task.FromException<int>(new FileNotFoundException("a subclass of IOException"))
            : Task.FromException<int>(new InvalidOperationException("not handled"));

        Assert.Equal(-1, await _subject.OnlyIoAsync(1).WaitAsync(HangGuard));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _subject.OnlyIoAsync(2).WaitAsync(HangGuard));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.OnlyIoAsync(3).WaitAsync(HangGuard));

        Assert.IsType<FileNotFoundException>(Assert.Single(_subject.Received));
    }

    [Fact]
    public async Task The_callers_cancellation_never_reaches_the_fallback()
    {
        using var caller = new CancellationTokenSource();
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.CancellableAsync(1, caller.Token);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(0, _subject.FallbackCalls);
    }

    [Fact]
    public async Task The_callers_cancellation_under_a_timeout_never_reaches_the_fallback()
    {
        using var caller = new CancellationTokenSource();
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.TimeoutAsync(1, caller.Token);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(0, _subject.FallbackCalls);
    }

    [Fact]
    public async Task A_timeout_reaches_the_fallback_as_a_TimeoutRejectedException()
    {
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.TimeoutAsync(1, CancellationToken.None);
        Clock.Advance(Ms(100));

        Assert.Equal(-1, await call.WaitAsync(HangGuard));
        TimeoutRejectedException timeout = Assert.IsType<TimeoutRejectedException>(Assert.Single(_subject.Received));
        Assert.Equal(TimeoutScope.PerAttempt, timeout.Scope);
    }
}
