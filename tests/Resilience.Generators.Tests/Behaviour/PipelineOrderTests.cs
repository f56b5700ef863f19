using System.Collections.Concurrent;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// The attributes below are deliberately written in orders other than the pipeline's: the pipeline is always
/// Fallback → CachedFallback → Idempotency → RateLimit → Timeout(Total) → Hedging → Retry → CircuitBreaker → Bulkhead → Timeout(PerAttempt) → Core.
/// </summary>
public partial class PipelineSubject
{
    public const string QueueBulkhead = "behaviour-pipeline-queue";
    public const string BreakerBeforeBulkheadName = "behaviour-pipeline-breaker-before-bulkhead";
    public const string RetriedBulkhead = "behaviour-pipeline-retried-bulkhead";

    public CoreScript Script { get; } = new();

    public ConcurrentQueue<Exception> Received { get; } = new();

    [CircuitBreaker(2, BreakDurationMs = 60_000)]
    [Retry(5, DelayMs = 0)]
    public partial Task<int> RetryMeetsOpenBreakerAsync();

    private Task<int> RetryMeetsOpenBreakerAsyncCore() => Script.RunAsync();

    [CircuitBreaker(10)]
    [Retry(3, DelayMs = 0)]
    public partial Task<int> BreakerCountsAttemptsAsync();

    private Task<int> BreakerCountsAttemptsAsyncCore() => Script.RunAsync();

    [Retry(3, DelayMs = 0)]
    [RateLimit(1, 60_000)]
    public partial Task<int> RateLimitOncePerCallAsync();

    private Task<int> RateLimitOncePerCallAsyncCore() => Script.RunAsync();

    [Timeout(100)]
    [Retry(3, DelayMs = 0)]
    public partial Task<int> AttemptTimeoutRestartsAsync(CancellationToken cancellationToken);

    private Task<int> AttemptTimeoutRestartsAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Timeout(100)]
    [Bulkhead(1, MaxQueue = 1, Name = QueueBulkhead)]
    public partial Task<int> QueueOutsideAttemptTimeoutAsync(CancellationToken cancellationToken);

    private Task<int> QueueOutsideAttemptTimeoutAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Bulkhead(1, Name = BreakerBeforeBulkheadName)]
    [CircuitBreaker(1, Name = BreakerBeforeBulkheadName)]
    public partial Task<int> BreakerBeforeBulkheadAsync();

    private Task<int> BreakerBeforeBulkheadAsyncCore() => Script.RunAsync();

    [Bulkhead(1, Name = RetriedBulkhead)]
    [Retry(3, DelayMs = 0)]
    public partial Task<int> BulkheadInsideRetryAsync();

    private Task<int> BulkheadInsideRetryAsyncCore() => Script.RunAsync();

    [Timeout(100, Scope = TimeoutScope.Total)]
    [RateLimit(1, 1_000, QueueLimit = 1)]
    public partial Task<int> RateLimitQueueOutsideTotalTimeoutAsync(CancellationToken cancellationToken);

    private Task<int> RateLimitQueueOutsideTotalTimeoutAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Retry(5, DelayMs = 40, Backoff = BackoffKind.Constant, Jitter = false)]
    [Fallback(nameof(Recover))]
    [Timeout(100, Scope = TimeoutScope.Total)]
    public partial Task<int> FallbackOutsideTotalTimeoutAsync(CancellationToken cancellationToken);

    private Task<int> FallbackOutsideTotalTimeoutAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Bulkhead(1)]
    [Timeout(100)]
    [CircuitBreaker(3)]
    [Retry(2, DelayMs = 0)]
    [RateLimit(100, 1_000)]
    [Fallback(nameof(Recover))]
    [Idempotent]
    public partial Task<int> EverythingAsync(CancellationToken cancellationToken);

    private Task<int> EverythingAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    private int Recover(CancellationToken cancellationToken, Exception error)
    {
        Received.Enqueue(error);
        return -1;
    }
}

[Collection(RegistryCollection.Name)]
public sealed class PipelineOrderTests : RegistryTest
{
    private readonly PipelineSubject _subject = new();

    [Fact]
    public async Task Retries_stop_at_an_open_breaker_whatever_the_attribute_order()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        // Attempts 1 and 2 fail and open the breaker; attempt 3 is rejected, and a rejection is not retried.
        await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.RetryMeetsOpenBreakerAsync().WaitAsync(HangGuard));

        Assert.Equal(2, _subject.Script.Calls);
        Assert.Equal(1, Registry.CircuitBreaker(Name(nameof(PipelineSubject.RetryMeetsOpenBreakerAsync))).GetMetrics().Rejections);
    }

    [Fact]
    public async Task The_breaker_sees_every_attempt_of_a_retried_call()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        await Assert.ThrowsAsync<IOException>(() => _subject.BreakerCountsAttemptsAsync().WaitAsync(HangGuard));

        Assert.Equal(3, Registry.CircuitBreaker(Name(nameof(PipelineSubject.BreakerCountsAttemptsAsync))).GetMetrics().Failures);
    }

    [Fact]
    public async Task A_rate_limit_permit_is_taken_once_per_call_not_per_attempt()
    {
        _subject.Script.Async = static (call, _) => call < 3 ? throw new IOException("down") : Task.FromResult(call);

        Assert.Equal(3, await _subject.RateLimitOncePerCallAsync().WaitAsync(HangGuard));

        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.RateLimitOncePerCallAsync().WaitAsync(HangGuard));
        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_per_attempt_timeout_restarts_on_each_attempt()
    {
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.AttemptTimeoutRestartsAsync(CancellationToken.None);
        Clock.Advance(Ms(100));
        WaitUntil(() => _subject.Script.Calls == 2, "the second attempt started");

        // 160 ms since the call began, only 60 ms into the second attempt.
        Clock.Advance(Ms(60));
        Assert.Equal(2, _subject.Script.Calls);
        Clock.Advance(Ms(39));
        Assert.Equal(2, _subject.Script.Calls);
        Clock.Advance(Ms(1));
        WaitUntil(() => _subject.Script.Calls == 3, "the third attempt started");

        Clock.Advance(Ms(100));
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public async Task Waiting_for_a_bulkhead_slot_is_not_covered_by_the_per_attempt_timeout()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The first call ignores its token and holds the slot until the gate opens.
        _subject.Script.Async = (call, _) => call == 1 ? gate.Task : Task.FromResult(call * 10);

        Task<int> running = _subject.QueueOutsideAttemptTimeoutAsync(CancellationToken.None);
        Task<int> queued = _subject.QueueOutsideAttemptTimeoutAsync(CancellationToken.None);
        Clock.Advance(Ms(150));
        Assert.False(queued.IsCompleted);

        gate.SetResult(1);
        Assert.Equal(1, await running.WaitAsync(HangGuard));
        Assert.Equal(20, await queued.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task An_open_breaker_rejects_before_the_bulkhead_is_asked()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _subject.Script.Async = (_, _) => gate.Task;
        Task<int> running = _subject.BreakerBeforeBulkheadAsync();

        Registry.CircuitBreaker(PipelineSubject.BreakerBeforeBulkheadName).Isolate();

        BrokenCircuitException rejection = await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.BreakerBeforeBulkheadAsync().WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Isolated, rejection.State);
        Assert.Equal(0, Bulkhead(PipelineSubject.BreakerBeforeBulkheadName).RejectionCount);
        gate.SetResult(1);
        Assert.Equal(1, await running.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_bulkhead_rejection_inside_a_retry_is_not_retried()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _subject.Script.Async = (_, _) => gate.Task;
        Task<int> running = _subject.BulkheadInsideRetryAsync();

        await Assert.ThrowsAsync<BulkheadRejectedException>(() => _subject.BulkheadInsideRetryAsync().WaitAsync(HangGuard));

        Assert.Equal(1, Bulkhead(PipelineSubject.RetriedBulkhead).RejectionCount);
        gate.SetResult(1);
        Assert.Equal(1, await running.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task Waiting_in_the_rate_limit_queue_is_not_covered_by_the_total_timeout()
    {
        Assert.Equal(1, await _subject.RateLimitQueueOutsideTotalTimeoutAsync(CancellationToken.None).WaitAsync(HangGuard));
        Task<int> queued = _subject.RateLimitQueueOutsideTotalTimeoutAsync(CancellationToken.None);

        // The queued call waits 1000 ms for its permit, ten times its total timeout.
        Clock.Advance(Ms(500));
        Assert.False(queued.IsCompleted);
        Clock.Advance(Ms(500));

        Assert.Equal(2, await queued.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task The_fallback_receives_the_total_timeout()
    {
        _subject.Script.Async = static (call, token) => call < 3 ? throw new IOException("down") : CoreScript.UntilCancelled(token);

        // Attempts at 0 and 40 ms fail; the third, from 80 ms, runs until the total timeout of 100 ms ends the call.
        Task<int> call = _subject.FallbackOutsideTotalTimeoutAsync(CancellationToken.None);
        int timers = Clock.TimersCreated;
        Clock.Advance(Ms(40));
        WaitForTimers(timers + 1);
        Clock.Advance(Ms(40));
        WaitUntil(() => _subject.Script.Calls == 3, "the third attempt ran");
        Clock.Advance(Ms(20));

        Assert.Equal(-1, await call.WaitAsync(HangGuard));
        TimeoutRejectedException timeout = Assert.IsType<TimeoutRejectedException>(Assert.Single(_subject.Received));
        Assert.Equal(TimeoutScope.Total, timeout.Scope);
    }

    [Fact]
    public async Task The_fallback_receives_the_last_failure_at_once_when_the_next_wait_would_outlast_the_total_timeout()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        // Attempts at 0, 40 and 80 ms fail; the wait for a fourth would end at 120 ms, past the 100 ms total: it is
        // not started, and the fallback answers at 80 ms.
        Task<int> call = _subject.FallbackOutsideTotalTimeoutAsync(CancellationToken.None);
        int timers = Clock.TimersCreated;
        Clock.Advance(Ms(40));
        WaitForTimers(timers + 1);
        Clock.Advance(Ms(40));

        Assert.Equal(-1, await call.WaitAsync(HangGuard));
        Assert.Equal(3, _subject.Script.Calls);
        Assert.IsType<IOException>(Assert.Single(_subject.Received));
    }

    [Fact]
    public async Task All_six_policies_together_return_the_core_result_on_the_happy_path()
    {
        _subject.Script.Async = static (call, _) => Task.FromResult(call + 41);

        Assert.Equal(42, await _subject.EverythingAsync(CancellationToken.None).WaitAsync(HangGuard));

        Assert.Empty(_subject.Received);
    }

    [Fact]
    public async Task All_six_policies_together_retry_a_timed_out_attempt_and_then_fall_back()
    {
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.EverythingAsync(CancellationToken.None);
        Clock.Advance(Ms(100));
        WaitUntil(() => _subject.Script.Calls == 2, "the second attempt started");
        Clock.Advance(Ms(100));

        Assert.Equal(-1, await call.WaitAsync(HangGuard));
        Assert.IsType<TimeoutRejectedException>(Assert.Single(_subject.Received));
        Assert.Equal(2, Registry.CircuitBreaker(Name(nameof(PipelineSubject.EverythingAsync))).GetMetrics().Failures);
    }

    private static string Name(string method) => typeof(PipelineSubject).FullName + "." + method;
}
