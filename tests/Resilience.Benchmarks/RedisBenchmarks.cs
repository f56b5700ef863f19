using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using RedisRateLimiting;
using Resilience.Redis;
using StackExchange.Redis;

namespace Resilience.Benchmarks;

/// <summary>
/// A redis-server of the benchmark's own, without persistence, on a free loopback port: the one server both libraries
/// are measured against.
/// </summary>
internal sealed class BenchmarkRedis : IDisposable
{
    private readonly Process _process;

    public BenchmarkRedis()
    {
        string path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not on PATH; install it with `apt-get install redis-server` to run the Redis benchmarks.");
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Connection = ConnectionMultiplexer.Connect($"127.0.0.1:{Port}");
                break;
            }
            catch (RedisConnectionException) when (attempt < 50)
            {
                Thread.Sleep(100);
            }
        }
    }

    public int Port { get; }

    public ConnectionMultiplexer Connection { get; } = null!;

    public void Dispose()
    {
        Connection.Dispose();
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}

/// <summary>
/// Taking a permit of a distributed sliding window and token bucket, against the RedisRateLimiting package's limiters
/// on the same redis-server with the same limits (high enough never to reject); and the batched mode
/// (<see cref="RateLimitOptions.DistributedBatch"/> 100 000) against a local token bucket. With <see cref="Callers"/>
/// 16, one operation is sixteen concurrent acquires.
/// </summary>
[MemoryDiagnoser]
public class RedisRateLimitBenchmarks
{
    private const int Permits = 1_000_000;
    private const int UnreachablePermits = 1_000_000_000;

    private BenchmarkRedis _redis = null!;
    private RedisResilienceStore _store = null!;
    private RateLimiterState _slidingWindow = null!;
    private RateLimiterState _tokenBucket = null!;
    private RateLimiterState _batched = null!;
    private RateLimiterState _local = null!;
    private RateLimiter _theirSlidingWindow = null!;
    private RateLimiter _theirTokenBucket = null!;

    [Params(1, 16)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _redis = new BenchmarkRedis();
        _store = ResilienceRegistry.Default.UseRedis(_redis.Connection, new RedisResilienceOptions { KeyPrefix = "bench" });
        _slidingWindow = ResilienceRegistry.Default.GetOrAddRateLimiter(
            "bench-sliding", new RateLimitOptions { Permits = Permits, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.SlidingWindow, Distributed = true });
        _tokenBucket = ResilienceRegistry.Default.GetOrAddRateLimiter(
            "bench-bucket", new RateLimitOptions { Permits = Permits, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.TokenBucket, Distributed = true });
        // A limit no benchmark can reach (a local limiter of a million a second would reject within a run), and a batch
        // that lasts longer than a round trip at the speed a benchmark calls, as a batch must: a token bucket, whose
        // script takes a batch with one SET (a sliding window adds one sorted-set entry per permit).
        _batched = ResilienceRegistry.Default.GetOrAddRateLimiter(
            "bench-batched", new RateLimitOptions { Permits = UnreachablePermits, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.TokenBucket, Distributed = true, DistributedBatch = 100_000 });
        _local = ResilienceRegistry.Default.GetOrAddRateLimiter(
            "bench-local", new RateLimitOptions { Permits = UnreachablePermits, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.TokenBucket });
        _theirSlidingWindow = new RedisSlidingWindowRateLimiter<string>(
            "their-sliding", new RedisSlidingWindowRateLimiterOptions { ConnectionMultiplexerFactory = () => _redis.Connection, PermitLimit = Permits, Window = TimeSpan.FromSeconds(1) });
        _theirTokenBucket = new RedisTokenBucketRateLimiter<string>(
            "their-bucket", new RedisTokenBucketRateLimiterOptions
            {
                ConnectionMultiplexerFactory = () => _redis.Connection, TokenLimit = Permits, TokensPerPeriod = Permits, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ResilienceRegistry.Default.UseDistributedStore(null);
        _store.Dispose();
        _theirSlidingWindow.Dispose();
        _theirTokenBucket.Dispose();
        _redis.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task SlidingWindow() => Concurrently(() => Acquire(_slidingWindow));

    [Benchmark]
    public Task SlidingWindow_RedisRateLimiting() => Concurrently(() => Acquire(_theirSlidingWindow));

    [Benchmark]
    public Task TokenBucket() => Concurrently(() => Acquire(_tokenBucket));

    [Benchmark]
    public Task TokenBucket_RedisRateLimiting() => Concurrently(() => Acquire(_theirTokenBucket));

    [Benchmark]
    public Task TokenBucket_Batched() => Concurrently(() => Acquire(_batched));

    [Benchmark]
    public Task TokenBucket_Local() => Concurrently(() => Acquire(_local));

    private static async Task Acquire(RateLimiterState limiter)
    {
        if (!await limiter.AcquireAsync(CancellationToken.None))
        {
            throw new InvalidOperationException("The limit rejected a call; the benchmark's limit is meant never to.");
        }
    }

    private static async Task Acquire(RateLimiter limiter)
    {
        using RateLimitLease lease = await limiter.AcquireAsync();
        if (!lease.IsAcquired)
        {
            throw new InvalidOperationException("The limit rejected a call; the benchmark's limit is meant never to.");
        }
    }

    private Task Concurrently(Func<Task> acquire)
    {
        if (Callers == 1)
        {
            return acquire();
        }

        var calls = new Task[Callers];
        for (int i = 0; i < calls.Length; i++)
        {
            calls[i] = acquire();
        }

        return Task.WhenAll(calls);
    }
}

/// <summary>A closed breaker's happy path (enter, record a success): distributed, with Redis registered, against local.</summary>
[MemoryDiagnoser]
public class RedisBreakerBenchmarks
{
    private BenchmarkRedis _redis = null!;
    private RedisResilienceStore _store = null!;
    private CircuitBreakerState _local = null!;
    private CircuitBreakerState _distributed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _redis = new BenchmarkRedis();
        _store = ResilienceRegistry.Default.UseRedis(_redis.Connection, new RedisResilienceOptions { KeyPrefix = "bench" });
        _local = ResilienceRegistry.Default.GetOrAddCircuitBreaker("bench-local", new CircuitBreakerOptions());
        _distributed = ResilienceRegistry.Default.GetOrAddCircuitBreaker("bench-distributed", new CircuitBreakerOptions { Distributed = true });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ResilienceRegistry.Default.UseDistributedStore(null);
        _store.Dispose();
        _redis.Dispose();
    }

    [Benchmark(Baseline = true)]
    public bool Local() => Pass(_local);

    [Benchmark]
    public bool Distributed() => Pass(_distributed);

    private static bool Pass(CircuitBreakerState breaker)
    {
        if (!breaker.TryEnter(out CircuitBreakerPermit permit))
        {
            return false;
        }

        breaker.RecordSuccess(permit);
        return true;
    }
}
