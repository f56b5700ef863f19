namespace Resilience.Hosting.Tests;

/// <summary>The policy names the tests use: each concern has its own, so that no test sees another's state.</summary>
public static class Names
{
    public const string ConfiguredBreaker = "cfg.breaker";
    public const string ConfiguredBulkhead = "cfg.bulkhead";
    public const string ConfiguredLimit = "cfg.limit";

    public const string ReloadedBreaker = "reload.breaker";
    public const string ReloadedBulkhead = "reload.bulkhead";
    public const string ReloadedLimit = "reload.limit";

    public const string ClockBreaker = "clock.breaker";

    public const string LoggedBreaker = "log.breaker";
    public const string LoggedBulkhead = "log.bulkhead";

    /// <summary>The rate limit of <see cref="Dependency.DistributedLimitAsync"/>, marked Distributed while no store is registered.</summary>
    public const string DistributedLimit = "log.distributed";

    public const string CacheBreaker = "health.cache";
    public const string DatabaseBreaker = "health.db";

    /// <summary>The policy (and method) name of <see cref="Dependency.RetriedAsync"/>: it has no breaker, bulkhead or rate limit.</summary>
    public const string RetriedMethod = "Resilience.Hosting.Tests.Dependency.RetriedAsync";

    /// <summary>The policy name of <see cref="Dependency.LiveAsync"/>, whose retry and timeout configuration overrides.</summary>
    public const string LiveMethod = "live";

    /// <summary>The policy name of <see cref="Dependency.ChaosAsync"/>, its breaker's.</summary>
    public const string ChaosBreaker = "chaos.breaker";

    /// <summary>The policy (and method) name of <see cref="Dependency.BudgetedAsync"/>, and of its retry budget.</summary>
    public const string BudgetedMethod = "Resilience.Hosting.Tests.Dependency.BudgetedAsync";

    /// <summary>The policy (and method) name of <see cref="Dependency.CachedAsync"/>.</summary>
    public const string CachedMethod = "Resilience.Hosting.Tests.Dependency.CachedAsync";

    /// <summary>The policy (and method) name of <see cref="Dependency.TimedAsync"/>.</summary>
    public const string TimedMethod = "Resilience.Hosting.Tests.Dependency.TimedAsync";
}

/// <summary>
/// A dependency made resilient by attributes, built by the real generator. Every operation runs <see cref="Behaviour"/>,
/// which a test sets to make the calls succeed, fail or hang.
/// </summary>
public sealed partial class Dependency
{
    /// <summary>What each call's operation does. Default: succeed with 42.</summary>
    public Func<CancellationToken, Task<int>> Behaviour { get; set; } = Succeed;

    /// <summary>How many times an operation ran (rejected calls do not run it).</summary>
    public int Runs { get; private set; }

    public static Task<int> Succeed(CancellationToken cancellationToken) => Task.FromResult(42);

    public static Task<int> Fail(CancellationToken cancellationToken) => Task.FromException<int>(new InvalidOperationException("The dependency failed."));

    /// <summary>Never completes unless <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task<int> Hang(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    // Configuration: one policy of each kind, with attribute values the tests replace.

    [CircuitBreaker(5, BreakDurationMs = 1_000, SuccessThreshold = 2, HalfOpenMaxCalls = 1, Name = Names.ConfiguredBreaker)]
    public partial Task<int> ConfiguredBreakerAsync(CancellationToken cancellationToken);

    [Bulkhead(2, MaxQueue = 1, MaxWaitMs = 100, Name = Names.ConfiguredBulkhead)]
    public partial Task<int> ConfiguredBulkheadAsync(CancellationToken cancellationToken);

    [RateLimit(5, 1_000, Algorithm = RateLimitAlgorithm.TokenBucket, Name = Names.ConfiguredLimit)]
    public partial Task<int> ConfiguredLimitAsync(CancellationToken cancellationToken);

    // Reload.

    [CircuitBreaker(5, BreakDurationMs = 60_000, Name = Names.ReloadedBreaker)]
    public partial Task<int> ReloadedBreakerAsync(CancellationToken cancellationToken);

    [Bulkhead(2, Name = Names.ReloadedBulkhead)]
    public partial Task<int> ReloadedBulkheadAsync(CancellationToken cancellationToken);

    [RateLimit(1, 60_000, Algorithm = RateLimitAlgorithm.FixedWindow, Name = Names.ReloadedLimit)]
    public partial Task<int> ReloadedLimitAsync(CancellationToken cancellationToken);

    // The host's clock.

    [CircuitBreaker(1, BreakDurationMs = 1_000, Name = Names.ClockBreaker)]
    public partial Task<int> ClockBreakerAsync(CancellationToken cancellationToken);

    // Logs.

    [CircuitBreaker(3, BreakDurationMs = 1_000, Name = Names.LoggedBreaker)]
    public partial Task<int> LoggedBreakerAsync(CancellationToken cancellationToken);

    [Bulkhead(1, Name = Names.LoggedBulkhead)]
    public partial Task<int> LoggedBulkheadAsync(CancellationToken cancellationToken);

    [RateLimit(1_000, 1_000, Distributed = true, Name = Names.DistributedLimit)]
    public partial Task<int> DistributedLimitAsync(CancellationToken cancellationToken);

    [Retry(3, DelayMs = 200, Backoff = BackoffKind.Constant, Jitter = false)]
    public partial Task<int> RetriedAsync(CancellationToken cancellationToken);

    [Retry(3, DelayMs = 0, MaxRetryRatio = 0.1)]
    public partial Task<int> BudgetedAsync(CancellationToken cancellationToken);

    /// <summary>Retries a negative result, without an exception.</summary>
    [Retry(2, DelayMs = 200, Backoff = BackoffKind.Constant, Jitter = false, HandleResult = nameof(IsNegative))]
    public partial Task<int> RetriedOnResultAsync(CancellationToken cancellationToken);

    [Timeout(100)]
    public partial Task<int> TimedAsync(CancellationToken cancellationToken);

    [CachedFallback(60_000)]
    public partial Task<int> CachedAsync(string id, CancellationToken cancellationToken);

    private Task<int> CachedAsyncCore(string id, CancellationToken cancellationToken) => Run(cancellationToken);

    // Live settings: retries and a timeout under the bulkhead's name, and chaos under the breaker's.

    [Retry(2, DelayMs = 0, Backoff = BackoffKind.Constant, Jitter = false)]
    [Timeout(1_000)]
    [Bulkhead(100, Name = Names.LiveMethod)]
    public partial Task<int> LiveAsync(CancellationToken cancellationToken);

    [Retry(3, DelayMs = 0, Backoff = BackoffKind.Constant, Jitter = false)]
    [CircuitBreaker(3, BreakDurationMs = 60_000, Name = Names.ChaosBreaker)]
    public partial Task<int> ChaosAsync(CancellationToken cancellationToken);

    // Health: two probes must succeed to close them, so that a half-open state can be held without a call in flight.

    [CircuitBreaker(1, BreakDurationMs = 1_000, SuccessThreshold = 2, Name = Names.CacheBreaker)]
    public partial Task<int> CacheAsync(CancellationToken cancellationToken);

    [CircuitBreaker(1, BreakDurationMs = 1_000, SuccessThreshold = 2, Name = Names.DatabaseBreaker)]
    public partial Task<int> DatabaseAsync(CancellationToken cancellationToken);

    private Task<int> Run(CancellationToken cancellationToken)
    {
        Runs++;
        return Behaviour(cancellationToken);
    }

    private Task<int> ConfiguredBreakerAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> ConfiguredBulkheadAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> ConfiguredLimitAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> ReloadedBreakerAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> ReloadedBulkheadAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> ReloadedLimitAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> ClockBreakerAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> LoggedBreakerAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> LoggedBulkheadAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> DistributedLimitAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> RetriedAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> BudgetedAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> RetriedOnResultAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private static bool IsNegative(int value) => value < 0;

    private Task<int> TimedAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> LiveAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> ChaosAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> CacheAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);

    private Task<int> DatabaseAsyncCore(CancellationToken cancellationToken) => Run(cancellationToken);
}
