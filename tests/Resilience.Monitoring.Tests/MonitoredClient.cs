namespace Resilience.Monitoring.Tests;

/// <summary>Resilient methods built by the real generator, called so that every instrument of the meter records something.</summary>
public sealed partial class MonitoredClient
{
    public const string Breaker = "monitoring-breaker";
    public const string KeyedBreaker = "monitoring-keyed-breaker";
    public const string Bulkhead = "monitoring-bulkhead";
    public const string Limit = "monitoring-limit";
    public const string SharedLimit = "monitoring-shared-limit";
    public const string Chaotic = "monitoring-chaotic";
    public const string SlowBreaker = "monitoring-slow-breaker";
    public const string Budget = "monitoring-budget";
    public const string SharedStorePolicy = "monitoring-shared-store";

    private int _hedgedCalls;
    private bool _pricesDown;

    [Retry(3, DelayMs = 1, Jitter = false)]
    [CircuitBreaker(3, Name = Breaker, BreakDurationMs = 60_000)]
    public partial int Flaky();

    private int FlakyCore() => throw new IOException("The dependency is down.");

    [Timeout(1)]
    public partial Task<int> SlowAsync(CancellationToken cancellationToken);

    private static async Task<int> SlowAsyncCore(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    [Bulkhead(1, Name = Bulkhead)]
    public partial Task<int> HeldAsync(Task<int> release);

    private static Task<int> HeldAsyncCore(Task<int> release) => release;

    [RateLimit(1, 60_000, Name = Limit)]
    public partial int Limited();

    private static int LimitedCore() => 1;

    // Distributed with no store registered: decided locally, and counted as such.
    [RateLimit(100, 60_000, Name = SharedLimit, Distributed = true)]
    public partial int Shared();

    private static int SharedCore() => 1;

    [CircuitBreaker(1, Name = KeyedBreaker, BreakDurationMs = 60_000)]
    public partial int ByHost([CircuitBreakerKey] string host);

    private static int ByHostCore(string host) => throw new IOException($"{host} is down.");

    [Bulkhead(10, Name = Chaotic)]
    public partial int Chaos();

    private static int ChaosCore() => 1;

    [CircuitBreaker(100, Name = SlowBreaker, SlowCallDurationMs = 1, MinimumThroughput = 100)]
    public partial int Sluggish();

    /// <summary>Returns once the clock the breaker reads (the system's tick) has moved 20 ms on: a call slower than 1 ms.</summary>
    private static int SluggishCore()
    {
        long end = Environment.TickCount64 + 20;
        SpinWait.SpinUntil(() => Environment.TickCount64 >= end);
        return 1;
    }

    [Retry(2, DelayMs = 0, MaxRetryRatio = 0.1)]
    [Bulkhead(10, Name = Budget)]
    public partial int Budgeted();

    private static int BudgetedCore() => throw new IOException("The dependency is down.");

    // Both attempts start at once; the first fails, so the second (a hedged attempt) wins.
    [Hedging(2, DelayMs = 0)]
    [Idempotent]
    public partial Task<int> HedgedAsync(CancellationToken cancellationToken);

    private Task<int> HedgedAsyncCore(CancellationToken cancellationToken)
        => Interlocked.Increment(ref _hedgedCalls) == 1 ? Task.FromException<int>(new IOException("The first replica is down.")) : Task.FromResult(2);

    [Idempotent]
    public partial int Charge([IdempotencyKey] string requestId);

    private static int ChargeCore(string requestId) => requestId.Length;

    [CachedFallback(60_000)]
    public partial int Price(string sku);

    private int PriceCore(string sku) => _pricesDown ? throw new IOException("Prices are down.") : 7;

    /// <summary>Makes sure the library's meter exists, so that a listener started now sees every instrument.</summary>
    public static void TouchLibrary() => ResilienceRegistry.Default.GetTelemetry("monitoring-touch", "Resilience.Monitoring.Tests.Touch");

    /// <summary>Calls each method so that every instrument records: retries, a breaker opening and rejecting, a timeout, rejections by a bulkhead and a rate limit, a keyed breaker's partition opening, a distributed limit deciding locally, chaos injecting a fault, a slow call, a retry its budget refuses, a hedged attempt winning, an idempotency key's miss and hit, a cached fallback answering and missing, a shared idempotency store's lost claim and local decision, a checkpoint read and saved.</summary>
    public async Task ExerciseEverythingAsync()
    {
        Assert.Throws<IOException>(() => Flaky());                                      // three attempts fail, the breaker opens...
        Assert.Throws<BrokenCircuitException>(() => Flaky());                          // ...and rejects
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => SlowAsync(CancellationToken.None));

        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> held = HeldAsync(release.Task);
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => HeldAsync(Task.FromResult(0)));
        release.SetResult(1);
        Assert.Equal(1, await held);

        Assert.Equal(1, Limited());
        Assert.Throws<RateLimitRejectedException>(() => Limited());
        Assert.Throws<IOException>(() => ByHost("https://api.example.com"));
        Assert.Equal(1, Shared());
        Assert.Equal(2, await HedgedAsync(CancellationToken.None));
        Assert.Equal(Charge("monitoring-request"), Charge("monitoring-request"));         // an idempotency key's miss, then its hit

        ResilienceRegistry.Default.AllowChaos = true;
        try
        {
            ResilienceRegistry.Default.Configure(new Dictionary<string, PolicySettings> { [Chaotic] = new() { Chaos = new ChaosSettings { FaultRate = 1 } } });
            Assert.Throws<ChaosInjectedException>(() => Chaos());
        }
        finally
        {
            ResilienceRegistry.Default.Configure(new Dictionary<string, PolicySettings>());
            ResilienceRegistry.Default.AllowChaos = false;
        }

        Assert.Equal(1, Sluggish());

        RetryBudgetState budget = ResilienceRegistry.Default.RetryBudgets.Single(b => b.Name == Budget);
        while (budget.TryRetry())
        {
            // Spends the budget's floor, so that the call's retry is refused.
        }

        Assert.Throws<IOException>(() => Budgeted());

        Assert.Equal(7, Price("sku-1"));
        _pricesDown = true;
        Assert.Equal(7, Price("sku-1"));                                               // answered from the cache
        Assert.Throws<IOException>(() => Price("sku-2"));                              // nothing kept for it

        // What a shared idempotency store reports (the Redis package's does, on a lost claim and while Redis is away).
        IdempotencyStoreTelemetry.RecordClaimLost(SharedStorePolicy);
        IdempotencyStoreTelemetry.RecordDecidedLocally(SharedStorePolicy);

        var checkpoints = new InMemoryCheckpointStore();
        Assert.Null(await checkpoints.GetLatestAsync<int>("monitoring-job"));          // a job starting from the beginning...
        Assert.NotNull(await checkpoints.SaveAsync("monitoring-job", "transcribe", 0.5, 1)); // ...saving its progress
    }
}
