using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;

namespace Resilience.Benchmarks;

/// <summary>
/// Why the runtime has limiters of its own: taking a permit from System.Threading.RateLimiting's limiters against
/// the runtime's, each with permits to spare. (The runtime's also read the registry's TimeProvider, which
/// System.Threading.RateLimiting cannot, so its windows could not be driven by a fake clock in tests.)
/// </summary>
[MemoryDiagnoser]
public class RateLimiterChoiceBenchmarks
{
    private TokenBucketRateLimiter _systemTokenBucket = null!;
    private FixedWindowRateLimiter _systemFixedWindow = null!;
    private SlidingWindowRateLimiter _systemSlidingWindow = null!;
    private RateLimiterState _tokenBucket = null!;
    private RateLimiterState _fixedWindow = null!;
    private RateLimiterState _slidingWindow = null!;

    [GlobalSetup]
    public void Setup()
    {
        TimeSpan window = TimeSpan.FromSeconds(1);
        _systemTokenBucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions { TokenLimit = int.MaxValue, TokensPerPeriod = int.MaxValue, ReplenishmentPeriod = window });
        _systemFixedWindow = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions { PermitLimit = int.MaxValue, Window = window });
        _systemSlidingWindow = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions { PermitLimit = int.MaxValue, Window = window, SegmentsPerWindow = 10 });
        _tokenBucket = Create(RateLimitAlgorithm.TokenBucket);
        _fixedWindow = Create(RateLimitAlgorithm.FixedWindow);
        _slidingWindow = Create(RateLimitAlgorithm.SlidingWindow);
    }

    [Benchmark(Baseline = true)]
    public bool SystemTokenBucket() => Lease(_systemTokenBucket);

    [Benchmark]
    public bool OwnTokenBucket() => _tokenBucket.TryAcquire();

    [Benchmark]
    public bool SystemFixedWindow() => Lease(_systemFixedWindow);

    [Benchmark]
    public bool OwnFixedWindow() => _fixedWindow.TryAcquire();

    [Benchmark]
    public bool SystemSlidingWindow() => Lease(_systemSlidingWindow);

    [Benchmark]
    public bool OwnSlidingWindow() => _slidingWindow.TryAcquire();

    private static bool Lease(RateLimiter limiter)
    {
        using RateLimitLease lease = limiter.AttemptAcquire();
        return lease.IsAcquired;
    }

    private static RateLimiterState Create(RateLimitAlgorithm algorithm)
        => ResilienceRegistry.Default.GetOrAddRateLimiter("choice-" + algorithm, new RateLimitOptions { Permits = int.MaxValue, WindowMs = 1_000, Algorithm = algorithm });
}
