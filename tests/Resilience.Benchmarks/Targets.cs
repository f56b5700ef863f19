using Resilience;

namespace Resilience.Benchmarks;

/// <summary>
/// The annotated methods measured: each attribute alone and all six, for a synchronous int, a ValueTask&lt;int&gt;
/// completing synchronously and a Task&lt;int&gt; completing synchronously. Settings never trigger on the happy path.
/// </summary>
/// <remarks>
/// The rate limits are fixed windows: a token bucket hands out at most one permit per 100 ns tick (10 million a
/// second), which a benchmark loop calling every 20 ns uses up within a minute, whatever <c>Permits</c> says.
/// </remarks>
public sealed partial class Targets
{
    private static readonly Task<int> s_completed = Task.FromResult(42);

    // ---- The work itself: what a direct call costs -------------------------------------------------------------

    public int Work(CancellationToken ct) => 42;

    public ValueTask<int> WorkValueTask(CancellationToken ct) => new(42);

    public Task<int> WorkTask(CancellationToken ct) => s_completed;

    // ---- One attribute at a time (ValueTask<int>) --------------------------------------------------------------

    [Retry(3, DelayMs = 200)]
    public partial ValueTask<int> RetryAsync(CancellationToken ct);
    private ValueTask<int> RetryAsyncCore(CancellationToken ct) => new(42);

    [CircuitBreaker(5, Name = "bench-breaker")]
    public partial ValueTask<int> CircuitBreakerAsync(CancellationToken ct);
    private ValueTask<int> CircuitBreakerAsyncCore(CancellationToken ct) => new(42);

    [Timeout(2_000)]
    public partial ValueTask<int> TimeoutAsync(CancellationToken ct);
    private ValueTask<int> TimeoutAsyncCore(CancellationToken ct) => new(42);

    [Bulkhead(64, Name = "bench-bulkhead")]
    public partial ValueTask<int> BulkheadAsync(CancellationToken ct);
    private ValueTask<int> BulkheadAsyncCore(CancellationToken ct) => new(42);

    [RateLimit(int.MaxValue, 1_000, Name = "bench-limit", Algorithm = RateLimitAlgorithm.FixedWindow)]
    public partial ValueTask<int> RateLimitAsync(CancellationToken ct);
    private ValueTask<int> RateLimitAsyncCore(CancellationToken ct) => new(42);

    [Fallback(nameof(Zero))]
    public partial ValueTask<int> FallbackAsync(CancellationToken ct);
    private ValueTask<int> FallbackAsyncCore(CancellationToken ct) => new(42);

    // ---- What slow calls and a retry budget add to the happy path: a timed call, a counted call -----------------

    [CircuitBreaker(5, Name = "bench-slow-breaker", SlowCallDurationMs = 60_000)]
    public partial ValueTask<int> SlowCallBreakerAsync(CancellationToken ct);
    private ValueTask<int> SlowCallBreakerAsyncCore(CancellationToken ct) => new(42);

    [Retry(3, DelayMs = 200, MaxRetryRatio = 0.1)]
    public partial ValueTask<int> BudgetedRetryAsync(CancellationToken ct);
    private ValueTask<int> BudgetedRetryAsyncCore(CancellationToken ct) => new(42);

    // ---- Timeout + retry + breaker, the work of the Polly pipeline quoted in the README --------------------------

    [Retry(3, DelayMs = 200)] [CircuitBreaker(5, Name = "bench-trio")] [Timeout(2_000)]
    public partial ValueTask<int> TrioAsync(CancellationToken ct);
    private ValueTask<int> TrioAsyncCore(CancellationToken ct) => new(42);

    // ---- All six -----------------------------------------------------------------------------------------------

    [Fallback(nameof(Zero))] [RateLimit(int.MaxValue, 1_000, Name = "bench-stack-limit", Algorithm = RateLimitAlgorithm.FixedWindow)] [Retry(3, DelayMs = 200)]
    [CircuitBreaker(5, Name = "bench-stack")] [Bulkhead(64, Name = "bench-stack")] [Timeout(2_000)]
    public partial int Stack(CancellationToken ct);
    private int StackCore(CancellationToken ct) => 42;

    [Fallback(nameof(Zero))] [RateLimit(int.MaxValue, 1_000, Name = "bench-stack-limit", Algorithm = RateLimitAlgorithm.FixedWindow)] [Retry(3, DelayMs = 200)]
    [CircuitBreaker(5, Name = "bench-stack")] [Bulkhead(64, Name = "bench-stack")] [Timeout(2_000)]
    public partial ValueTask<int> StackValueTaskAsync(CancellationToken ct);
    private ValueTask<int> StackValueTaskAsyncCore(CancellationToken ct) => new(42);

    [Fallback(nameof(Zero))] [RateLimit(int.MaxValue, 1_000, Name = "bench-stack-limit", Algorithm = RateLimitAlgorithm.FixedWindow)] [Retry(3, DelayMs = 200)]
    [CircuitBreaker(5, Name = "bench-stack")] [Bulkhead(64, Name = "bench-stack")] [Timeout(2_000)]
    public partial Task<int> StackTaskAsync(CancellationToken ct);
    private Task<int> StackTaskAsyncCore(CancellationToken ct) => s_completed;

    // ---- Failure paths -----------------------------------------------------------------------------------------

    private int _flip;

    /// <summary>Fails every other call: each measured call is one failed attempt, then a success.</summary>
    [Retry(2, DelayMs = 0, Jitter = false)]
    public partial ValueTask<int> RetryOnceAsync(CancellationToken ct);
    private ValueTask<int> RetryOnceAsyncCore(CancellationToken ct)
        => (++_flip & 1) == 1 ? throw new InvalidOperationException("transient") : new(42);

    private int _faultedFlip;

    /// <summary>The same, with an <c>async</c> core: its failure comes back as a faulted task, not as a throw at the call.</summary>
    [Retry(2, DelayMs = 0, Jitter = false)]
    public partial ValueTask<int> RetryOnceFaultedAsync(CancellationToken ct);
    private ValueTask<int> RetryOnceFaultedAsyncCore(CancellationToken ct) => FailEveryOtherAsync(ref _faultedFlip);

    /// <summary>An <c>async</c> method that throws on every other call, as an <c>async</c> core does when its work fails.</summary>
    public static async ValueTask<int> FailEveryOtherAsync(int flip)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        return (flip & 1) == 1 ? throw new InvalidOperationException("transient") : 42;
    }

    private static ValueTask<int> FailEveryOtherAsync(ref int flip) => FailEveryOtherAsync(++flip);

    private int _resultFlip;

    /// <summary>Returns a failed result (-1) every other call: one failed attempt, judged by HandleResult, then a success.</summary>
    [Retry(2, DelayMs = 0, Jitter = false, HandleResult = nameof(IsNegative))]
    public partial ValueTask<int> RetryOnceOnResultAsync(CancellationToken ct);
    private ValueTask<int> RetryOnceOnResultAsyncCore(CancellationToken ct) => new((++_resultFlip & 1) == 1 ? -1 : 42);

    public static bool IsNegative(int value) => value < 0;

    /// <summary>Its breaker is isolated in setup: every call goes to the fallback.</summary>
    [CircuitBreaker(5, Name = "bench-open")] [Fallback(nameof(Zero))]
    public partial ValueTask<int> OpenCircuitAsync(CancellationToken ct);
    private ValueTask<int> OpenCircuitAsyncCore(CancellationToken ct) => new(42);

    /// <summary>Eight slots shared by the contention benchmark's threads.</summary>
    [Bulkhead(8, MaxQueue = 1_000, Name = "bench-contention")]
    public partial ValueTask<int> ContendedAsync(CancellationToken ct);
    private async ValueTask<int> ContendedAsyncCore(CancellationToken ct)
    {
        await Task.Yield();
        return 42;
    }

    private static int Zero(CancellationToken ct) => 0;
}
