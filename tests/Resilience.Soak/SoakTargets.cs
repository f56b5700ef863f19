using Resilience;

namespace Resilience.Soak;

/// <summary>One method per policy (and one with all of them), each generated from its attributes.</summary>
public sealed partial class SoakTargets
{
    public const string FullStack = "soak.full";
    public const string KeyedBreaker = "soak.keyed-breaker";
    public const string KeyedLimit = "soak.keyed-limit";

    /// <summary>Every policy at once: retried, timed out per attempt, behind a breaker and a bulkhead, with a fallback.</summary>
    [Retry(3, DelayMs = 5, MaxDelayMs = 50)]
    [CircuitBreaker(10, BreakDurationMs = 200, Name = FullStack)]
    [Bulkhead(8, MaxQueue = 16, Name = FullStack)]
    [Timeout(40)]
    [Fallback(nameof(Cached))]
    [Idempotent]
    public partial Task<int> FullAsync(int value, CancellationToken ct);

    private Task<int> FullAsyncCore(int value, CancellationToken ct) => Dependency.CallAsync(value, failPercent: 20, slowPercent: 5, slowMs: 100, ct);

    private int Cached(int value, CancellationToken ct, Exception error) => -value;

    [Retry(2, DelayMs = 1, MaxDelayMs = 10, Backoff = BackoffKind.Linear)]
    [Timeout(100, Scope = TimeoutScope.Total)]
    [Idempotent]
    public partial ValueTask<int> RetriedAsync(int value, CancellationToken ct);

    private async ValueTask<int> RetriedAsyncCore(int value, CancellationToken ct) => await Dependency.CallAsync(value, failPercent: 30, slowPercent: 5, slowMs: 150, ct).ConfigureAwait(false);

    [Bulkhead(2, MaxQueue = 4, MaxWaitMs = 20, Name = "soak.bulkhead")]
    public partial Task<int> BulkheadAsync(int value, CancellationToken ct);

    private Task<int> BulkheadAsyncCore(int value, CancellationToken ct) => Dependency.CallAsync(value, failPercent: 5, slowPercent: 10, slowMs: 15, ct);

    [RateLimit(100, 100, Algorithm = RateLimitAlgorithm.TokenBucket, QueueLimit = 8, Name = "soak.token-bucket")]
    public partial Task<int> TokenBucketAsync(int value, CancellationToken ct);

    private Task<int> TokenBucketAsyncCore(int value, CancellationToken ct) => Dependency.CallAsync(value, 0, 0, 0, ct);

    [RateLimit(100, 100, Algorithm = RateLimitAlgorithm.FixedWindow, QueueLimit = 8, Name = "soak.fixed-window")]
    public partial Task<int> FixedWindowAsync(int value, CancellationToken ct);

    private Task<int> FixedWindowAsyncCore(int value, CancellationToken ct) => Dependency.CallAsync(value, 0, 0, 0, ct);

    [RateLimit(100, 100, Algorithm = RateLimitAlgorithm.SlidingWindow, QueueLimit = 8, Name = "soak.sliding-window")]
    public partial Task<int> SlidingWindowAsync(int value, CancellationToken ct);

    private Task<int> SlidingWindowAsyncCore(int value, CancellationToken ct) => Dependency.CallAsync(value, 0, 0, 0, ct);

    /// <summary>A limit per caller, with callers that come and go: idle partitions must be swept, not kept.</summary>
    [RateLimit(5, 50, Name = KeyedLimit)]
    public partial Task<int> PerCallerAsync([RateLimitKey] string caller, CancellationToken ct);

    private Task<int> PerCallerAsyncCore(string caller, CancellationToken ct) => Dependency.CallAsync(caller.Length, 0, 0, 0, ct);

    /// <summary>A breaker per host, opening on a failure ratio, with hosts that come and go.</summary>
    [CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 4, SamplingDurationMs = 1_000, BreakDurationMs = 100, Name = KeyedBreaker)]
    public partial Task<int> PerHostAsync([CircuitBreakerKey] string host, CancellationToken ct);

    private Task<int> PerHostAsyncCore(string host, CancellationToken ct) => Dependency.CallAsync(host.Length, failPercent: 40, slowPercent: 0, slowMs: 0, ct);

    [Hedging(2, DelayMs = 5)]
    [Timeout(60)]
    [Idempotent]
    public partial Task<int> HedgedAsync(int value, CancellationToken ct);

    private Task<int> HedgedAsyncCore(int value, CancellationToken ct) => Dependency.CallAsync(value, failPercent: 10, slowPercent: 10, slowMs: 80, ct);

    /// <summary>A synchronous method: retried and behind a breaker.</summary>
    [Retry(2, DelayMs = 1, Jitter = false)]
    [CircuitBreaker(20, BreakDurationMs = 100, Name = "soak.sync")]
    [Idempotent]
    public partial int Compute(int value, CancellationToken ct);

    private int ComputeCore(int value, CancellationToken ct) => Dependency.Call(value, failPercent: 15, ct);
}
