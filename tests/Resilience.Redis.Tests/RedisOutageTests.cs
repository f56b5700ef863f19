using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Resilience.Redis.Tests;

/// <summary>
/// The server stops under load and starts again, or stays connected but answers nothing (<c>CLIENT PAUSE</c>): callers
/// never see a Redis exception nor wait past the operation timeout, policies decide locally meanwhile (counted, and the
/// health check says Degraded), and the shared state is used again once the connection is back. Each test has a server
/// of its own, since it stops it.
/// </summary>
public sealed partial class RedisOutageTests
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMilliseconds(200);

    // Far above the operation timeout and below the client's own timeouts (8 s in TestServer.Connect): a call that waited
    // for the client instead of the operation timeout would fail this bound, while a loaded CI machine's scheduling delays
    // (a call took 2.2 s there once, with every test assembly running at the same time) do not.
    private static readonly TimeSpan LongestAcceptableCall = TimeSpan.FromMilliseconds(5_000);

    private readonly ITestOutputHelper _output;

    public RedisOutageTests(ITestOutputHelper output) => _output = output;

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Stopping_and_restarting_the_server_under_load_falls_back_to_local_state_and_back(ServerKind kind)
    {
        await using TestServer server = await TestServer.StartAsync(kind);
        await using Instances instances = await Instances.StartAsync(
            server, count: 2, new RedisResilienceOptions { OperationTimeout = OperationTimeout, RetryInterval = TimeSpan.FromMilliseconds(200) });
        string name = "outage-" + kind;
        using var fallbacks = new MetricCollector<long>(null, ResilienceMetrics.MeterName, "resilience.distributed.fallbacks");
        var options = new RateLimitOptions { Permits = 1_000_000, WindowMs = 60_000, Algorithm = RateLimitAlgorithm.SlidingWindow, Distributed = true };
        RateLimiterState[] limiters = instances.All.Select(i => i.Registry.GetOrAddRateLimiter(name, options)).ToArray();
        CircuitBreakerState[] breakers = instances.All.Select(i => i.Registry.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { BreakDurationMs = 60_000, Distributed = true })).ToArray();
        var health = new RedisResilienceHealthCheck(instances[0]);

        // A new server's first script run (loading and compiling it) may outlast this short operation timeout, and be
        // decided locally: the test starts once the server has answered.
        string key = instances.Prefix + ":rl:sw:{" + name + "}";
        await Eventually(async () => await limiters[0].AcquireAsync(CancellationToken.None) && await instances.Database.SortedSetLengthAsync(key) > 0);
        await Eventually(() => instances.All[0].Store.IsAvailable);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        using var load = new Load(limiters);
        await load.RunsAsync();

        await server.StopAsync();
        await Eventually(() => !instances.All[0].Store.IsAvailable);
        long decidedLocally = load.Admitted;
        await Eventually(() => load.Admitted > decidedLocally + 50);
        HealthCheckResult degraded = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("cannot be reached", degraded.Description);
        Assert.True(Fallbacks(fallbacks, name) > 0);

        // A breaker's change while the server is gone holds on its instance.
        breakers[0].Isolate();
        Assert.False(breakers[0].TryEnter(out _));
        breakers[0].Reset();

        await server.StartAsync();
        await Eventually(() => instances.All.All(i => i.Store.IsAvailable));
        long fallbacksAfterRestart = Fallbacks(fallbacks, name);
        long inRedisBefore = await instances.Database.SortedSetLengthAsync(key);
        await Eventually(async () => await instances.Database.SortedSetLengthAsync(key) > inRedisBefore + 20);

        // Breakers hear each other again.
        breakers[1].Isolate();
        await Eventually(() => breakers[0].State == CircuitState.Isolated);

        TimeSpan longest = await load.StopAsync();
        _output.WriteLine($"{kind}: {load.Admitted} calls, none failed; the longest took {longest.TotalMilliseconds:0} ms (operation timeout {OperationTimeout.TotalMilliseconds:0} ms); {fallbacksAfterRestart} decided locally.");
        Assert.Empty(load.Errors);
        Assert.True(longest < LongestAcceptableCall, $"A call took {longest.TotalMilliseconds:0} ms.");

        // Healthy again; a busy machine's last call of the load may have timed out, which reports Degraded for one
        // RetryInterval (200 ms here) before the next operation is tried.
        await Eventually(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Healthy);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_breaker_change_made_while_the_server_is_gone_reaches_the_others_when_it_is_back(ServerKind kind)
    {
        await using TestServer server = await TestServer.StartAsync(kind);
        await using Instances instances = await Instances.StartAsync(
            server, count: 3, new RedisResilienceOptions { OperationTimeout = OperationTimeout, RetryInterval = TimeSpan.FromMilliseconds(200) });
        var options = new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 60_000, Distributed = true };
        CircuitBreakerState[] breakers = instances.All.Select(i => i.Registry.GetOrAddCircuitBreaker("offline-" + kind, options)).ToArray();

        await server.StopAsync();
        await Eventually(() => instances.All.All(i => !i.Store.IsAvailable));
        breakers[0].Isolate();
        Assert.True(breakers[1].TryEnter(out CircuitBreakerPermit permit));
        breakers[1].RecordFailure(permit);
        Assert.Equal(CircuitState.Closed, breakers[2].State);

        await server.StartAsync();

        // The restarted server holds nothing: what each instance did offline is published again. Isolated on the first
        // instance and open on the second, each tells the others; the third, which changed nothing, learns both.
        await Eventually(() => breakers[2].State != CircuitState.Closed);
        await Eventually(() => breakers.All(b => b.State is CircuitState.Isolated or CircuitState.Open));
        Assert.All(breakers, b => Assert.False(b.TryEnter(out _)));
    }

    [SkippableFact]
    public async Task While_the_server_is_slow_each_acquire_returns_within_the_operation_timeout_decided_locally()
    {
        // Redis only: Garnet has no CLIENT PAUSE ("ERR unknown subcommand 'PAUSE'").
        await using TestServer server = await TestServer.StartAsync(ServerKind.Redis);

        // No retry interval: every call asks the paused server and waits for it, up to the operation timeout.
        await using Instances instances = await Instances.StartAsync(
            server, count: 1, new RedisResilienceOptions { OperationTimeout = OperationTimeout, RetryInterval = TimeSpan.Zero });
        RedisResilienceStore store = instances.All[0].Store;
        string name = "slow-redis";
        using var fallbacks = new MetricCollector<long>(null, ResilienceMetrics.MeterName, "resilience.distributed.fallbacks");
        RateLimiterState limiter = instances[0].GetOrAddRateLimiter(
            name, new RateLimitOptions { Permits = 1_000, WindowMs = 60_000, Algorithm = RateLimitAlgorithm.SlidingWindow, Distributed = true });

        // The script is loaded (a new server's first run may outlast this short timeout) and permits are counted in Redis
        // before the server slows down.
        string key = instances.Prefix + ":rl:sw:{" + name + "}";
        await Eventually(async () => await limiter.AcquireAsync(CancellationToken.None) && await instances.Database.SortedSetLengthAsync(key) > 0 && store.IsAvailable);
        long fallbacksBefore = Fallbacks(fallbacks, name);
        long failuresBefore = store.FailureCount;
        using ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(server.Endpoint + ",allowAdmin=true");

        // Not down: connected, but answering nothing for a minute, far longer than the client's own timeouts (8 s).
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "60000", "ALL");
        var durations = new List<TimeSpan>();
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            Assert.True(limiter.Acquire(CancellationToken.None));
            durations.Add(clock.Elapsed);
            clock.Restart();
            Assert.True(await limiter.AcquireAsync(CancellationToken.None));
            durations.Add(clock.Elapsed);
        }

        _output.WriteLine($"Calls while Redis was paused: {string.Join(", ", durations.Select(d => d.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))} ms (operation timeout {OperationTimeout.TotalMilliseconds:0} ms).");
        Assert.All(durations, d => Assert.True(d < LongestAcceptableCall, $"A call took {d.TotalMilliseconds:0} ms."));
        Assert.Equal(durations.Count, Fallbacks(fallbacks, name) - fallbacksBefore);
        Assert.Equal(durations.Count, store.FailureCount - failuresBefore);
        Assert.True(instances.Database.Multiplexer.IsConnected, "the instance's connection was lost: the server was to be slow, not gone");

        // Ends the pause before the connections close.
        await server.StopAsync();
    }

    [SkippableFact]
    public async Task While_the_server_is_slow_a_generated_method_with_a_distributed_limit_answers_within_the_operation_timeout()
    {
        // Redis only, as above.
        await using TestServer server = await TestServer.StartAsync(ServerKind.Redis);
        using ConnectionMultiplexer connection = server.Connect();

        // The generated methods' limit lives in this scope's registry, connected to the server with no retry interval.
        string prefix = "slow" + Guid.NewGuid().ToString("N")[..8];
        using ResilienceScope scope = ResilienceScope.Begin();
        using RedisResilienceStore store = scope.Registry.UseRedis(
            connection, new RedisResilienceOptions { KeyPrefix = prefix, OperationTimeout = OperationTimeout, RetryInterval = TimeSpan.Zero });
        using var fallbacks = new MetricCollector<long>(null, ResilienceMetrics.MeterName, "resilience.distributed.fallbacks");
        var api = new SlowRedisApi();
        string key = prefix + ":rl:sw:{" + SlowRedisApi.LimitName + "}";
        await Eventually(async () => await api.TranscribeAsync(CancellationToken.None) == 1 && await connection.GetDatabase().SortedSetLengthAsync(key) > 0 && store.IsAvailable);
        long fallbacksBefore = Fallbacks(fallbacks, SlowRedisApi.LimitName);
        long failuresBefore = store.FailureCount;
        using ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(server.Endpoint + ",allowAdmin=true");

        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "60000", "ALL");
        var durations = new List<TimeSpan>();
        for (int i = 0; i < 2; i++)
        {
            var clock = Stopwatch.StartNew();
            Assert.Equal(1, api.Transcribe());
            durations.Add(clock.Elapsed);
            clock.Restart();
            Assert.Equal(1, await api.TranscribeAsync(CancellationToken.None));
            durations.Add(clock.Elapsed);
        }

        _output.WriteLine($"Generated calls while Redis was paused: {string.Join(", ", durations.Select(d => d.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))} ms (operation timeout {OperationTimeout.TotalMilliseconds:0} ms).");
        Assert.All(durations, d => Assert.True(d < LongestAcceptableCall, $"A call took {d.TotalMilliseconds:0} ms."));
        Assert.Equal(durations.Count, Fallbacks(fallbacks, SlowRedisApi.LimitName) - fallbacksBefore);
        Assert.Equal(durations.Count, store.FailureCount - failuresBefore);

        scope.Registry.UseDistributedStore(null);
        await server.StopAsync();
    }

    private static long Fallbacks(MetricCollector<long> collector, string name)
        => collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags[ResilienceMetrics.PolicyTag], name)).Sum(m => m.Value);

    private static Task Eventually(Func<bool> condition) => Eventually(() => Task.FromResult(condition()));

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException)
            {
                // The test's own look at the server while it comes back.
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "The condition did not hold within 20 s.");
            await Task.Delay(20);
        }
    }

    /// <summary>Four callers taking permits in a loop, recording the longest call and any exception.</summary>
    private sealed class Load : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _callers;
        private long _admitted;
        private long _longestTicks;

        public Load(RateLimiterState[] limiters)
        {
            _callers = Enumerable.Range(0, 4).Select(i => Task.Run(() => CallAsync(limiters[i % limiters.Length]))).ToArray();
        }

        public long Admitted => Volatile.Read(ref _admitted);

        public System.Collections.Concurrent.ConcurrentQueue<Exception> Errors { get; } = new();

        public Task RunsAsync() => Eventually(() => Admitted > 20);

        public async Task<TimeSpan> StopAsync()
        {
            _stop.Cancel();
            await Task.WhenAll(_callers);
            return TimeSpan.FromTicks(Volatile.Read(ref _longestTicks));
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task CallAsync(RateLimiterState limiter)
        {
            while (!_stop.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    if (await limiter.AcquireAsync(CancellationToken.None))
                    {
                        Interlocked.Increment(ref _admitted);
                    }
                }
                catch (Exception e)
                {
                    Errors.Enqueue(e);
                }

                long ticks = clock.Elapsed.Ticks;
                long longest;
                while (ticks > (longest = Volatile.Read(ref _longestTicks)) && Interlocked.CompareExchange(ref _longestTicks, ticks, longest) != longest)
                {
                }

                await Task.Delay(2);
            }
        }
    }

    /// <summary>A synchronous and an asynchronous method sharing one distributed limit, built by the real generator.</summary>
    public sealed partial class SlowRedisApi
    {
        public const string LimitName = "slow-redis-generated";

        [RateLimit(1_000, 60_000, Algorithm = RateLimitAlgorithm.SlidingWindow, Distributed = true, Name = LimitName)]
        public partial int Transcribe();

        [RateLimit(1_000, 60_000, Algorithm = RateLimitAlgorithm.SlidingWindow, Distributed = true, Name = LimitName)]
        public partial Task<int> TranscribeAsync(CancellationToken cancellationToken);

        private int TranscribeCore() => 1;

        private Task<int> TranscribeAsyncCore(CancellationToken cancellationToken) => Task.FromResult(1);
    }
}
