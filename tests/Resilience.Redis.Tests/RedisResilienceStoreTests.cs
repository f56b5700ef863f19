using System.Diagnostics;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>
/// The distributed store's own contract, called as a policy calls it: descriptions, a failing operation, probe leases,
/// published states, scripts a server forgot, disposal, and calls made from a thread that is blocked waiting for them.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RedisResilienceStoreTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly SharedServers _servers;

    public RedisResilienceStoreTests(SharedServers servers) => _servers = servers;

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Every_store_describes_itself_by_its_endpoint_and_key_prefix(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        string expected = $"Redis {instances.Server.Endpoint}, prefix '{instances.Prefix}'";
        using ConnectionMultiplexer connection = instances.Server.Connect();
        var options = new RedisResilienceOptions { KeyPrefix = instances.Prefix };

        Assert.Equal(expected, instances.All[0].Store.Description);
        Assert.Equal(expected, new RedisCachedFallbackStore(connection, options).Description);
        Assert.Equal(expected, new RedisCheckpointStore(connection, redisOptions: options).Description);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task After_a_failed_operation_calls_decide_locally_for_the_retry_interval_without_asking_Redis(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(
            _servers, kind, count: 1, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromSeconds(5), RetryInterval = TimeSpan.FromHours(1) });
        RedisResilienceStore store = instances.All[0].Store;
        await instances.Database.StringSetAsync(new RedisKeys(instances.Prefix).RateLimit(RateLimitAlgorithm.SlidingWindow, "transcribe", null), "not a sorted set");

        DistributedAcquireResult failed = await store.TryAcquireAsync("transcribe", null, Limit(RateLimitAlgorithm.SlidingWindow), 1, CancellationToken.None);
        long operations = instances.OperationsOf(0);
        DistributedAcquireResult next = await store.TryAcquireAsync("other", null, Limit(RateLimitAlgorithm.SlidingWindow), 1, CancellationToken.None);

        Assert.False(failed.IsAvailable);
        Assert.False(next.IsAvailable);
        Assert.False(store.IsAvailable);
        Assert.Equal(1, store.FailureCount);
        Assert.Equal(operations, instances.OperationsOf(0));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_script_error_is_not_retried_and_with_no_retry_interval_the_next_call_asks_again(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(
            _servers, kind, count: 1, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromSeconds(5), RetryInterval = TimeSpan.Zero });
        RedisResilienceStore store = instances.All[0].Store;
        Assert.True((await store.TryAcquireAsync("warm-up", null, Limit(RateLimitAlgorithm.SlidingWindow), 1, CancellationToken.None)).Acquired);
        await instances.Database.StringSetAsync(new RedisKeys(instances.Prefix).RateLimit(RateLimitAlgorithm.SlidingWindow, "transcribe", null), "not a sorted set");

        long before = instances.OperationsOf(0);
        DistributedAcquireResult failed = await store.TryAcquireAsync("transcribe", null, Limit(RateLimitAlgorithm.SlidingWindow), 1, CancellationToken.None);
        long sent = instances.OperationsOf(0) - before;
        DistributedAcquireResult next = await store.TryAcquireAsync("other", null, Limit(RateLimitAlgorithm.SlidingWindow), 1, CancellationToken.None);

        Assert.False(failed.IsAvailable);
        // One EVALSHA; a keep-alive of the connection's may fall in between, a reload of the scripts (three more) may not.
        Assert.InRange(sent, 1, 2);
        Assert.True(next.Acquired);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task The_first_rate_limit_call_from_a_blocked_thread_completes(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        RedisResilienceStore store = instances.All[0].Store;
        var ui = new BlockedSynchronizationContext();

        Task<DistributedAcquireResult> call = ui.Start(() => store.TryAcquireAsync("transcribe", null, Limit(RateLimitAlgorithm.FixedWindow), 1, CancellationToken.None).AsTask());

        DistributedAcquireResult result = await call.WaitAsync(Patience);
        Assert.True(result.Acquired);
        Assert.Equal(4, result.Info.Remaining);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Scripts_the_server_forgot_are_loaded_again_and_the_call_is_answered(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        RedisResilienceStore store = instances.All[0].Store;
        Assert.True((await store.TryAcquireAsync("transcribe", null, Limit(RateLimitAlgorithm.SlidingWindow), 1, CancellationToken.None)).Acquired);
        using (ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(instances.Server.Endpoint + ",allowAdmin=true"))
        {
            await admin.GetServer(instances.Server.Endpoint).ScriptFlushAsync();
        }

        var ui = new BlockedSynchronizationContext();
        Task<DistributedAcquireResult> call = ui.Start(() => store.TryAcquireAsync("transcribe", null, Limit(RateLimitAlgorithm.SlidingWindow), 1, CancellationToken.None).AsTask());

        DistributedAcquireResult result = await call.WaitAsync(Patience);
        Assert.True(result.Acquired);
        Assert.Equal(3, result.Info.Remaining);
        Assert.Equal(0, store.FailureCount);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Only_the_instance_holding_a_probe_lease_releases_it(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        RedisResilienceStore holder = instances.All[0].Store, other = instances.All[1].Store;
        DistributedCircuit circuit = Circuit("payments");

        Assert.True(await holder.TryTakeProbeLeaseAsync(circuit, TimeSpan.FromMinutes(1)));
        Assert.False(await other.TryTakeProbeLeaseAsync(circuit, TimeSpan.FromMinutes(1)));

        // A release is sent without waiting; the next command on the same connection runs after it.
        other.ReleaseProbeLease(circuit);
        Assert.False(await other.TryTakeProbeLeaseAsync(circuit, TimeSpan.FromMinutes(1)));

        holder.ReleaseProbeLease(circuit);
        await Eventually(() => other.TryTakeProbeLeaseAsync(circuit, TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentNullException>(() => holder.ReleaseProbeLease(null!));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_probe_lease_of_zero_length_is_taken_without_a_failure(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        RedisResilienceStore store = instances.All[0].Store;

        Assert.True(await store.TryTakeProbeLeaseAsync(Circuit("payments"), TimeSpan.Zero));
        Assert.Equal(0, store.FailureCount);
        Assert.True(store.IsAvailable);
    }

    [SkippableFact]
    public async Task While_Redis_does_not_answer_each_instance_takes_the_probe_lease_itself()
    {
        await using TestServer server = await TestServer.StartAsync(ServerKind.Redis);
        await using Instances instances = await Instances.StartAsync(
            server, count: 1, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromMilliseconds(100), RetryInterval = TimeSpan.FromHours(1) });
        RedisResilienceStore store = instances.All[0].Store;
        DistributedCircuit circuit = Circuit("payments");
        Assert.True(await store.TryTakeProbeLeaseAsync(circuit, TimeSpan.FromMinutes(1)));
        using ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(server.Endpoint + ",allowAdmin=true");
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "60000", "ALL");

        bool timedOut = await store.TryTakeProbeLeaseAsync(circuit, TimeSpan.FromMinutes(1));
        bool afterwards = await store.TryTakeProbeLeaseAsync(circuit, TimeSpan.FromMinutes(1));

        Assert.True(timedOut);
        Assert.True(afterwards);
        Assert.Equal(1, store.FailureCount);
        Assert.False(store.IsAvailable);

        // Ends the pause before the connections close.
        await server.StopAsync();
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_probe_lease_asked_for_from_a_blocked_thread_is_answered(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        DistributedCircuit circuit = Circuit("payments");
        Assert.True(await instances.All[0].Store.TryTakeProbeLeaseAsync(circuit, TimeSpan.FromMinutes(1)));
        var ui = new BlockedSynchronizationContext();

        Task<bool> call = ui.Start(() => instances.All[1].Store.TryTakeProbeLeaseAsync(circuit, TimeSpan.FromMinutes(1)));

        Assert.False(await call.WaitAsync(Patience));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Opening_with_a_break_of_zero_replaces_the_stored_isolation(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        RedisResilienceStore store = instances.All[0].Store;
        DistributedCircuit circuit = Circuit("payments");
        string key = new RedisKeys(instances.Prefix).CircuitState("payments");

        store.Publish(circuit, CircuitState.Isolated, TimeSpan.Zero);
        Assert.Equal("isolated", (string?)await instances.Database.StringGetAsync(key));
        store.Publish(circuit, CircuitState.Open, TimeSpan.Zero);

        // Sent on the same connection as the writes, so read after them: "open" for a millisecond, then gone.
        RedisValue stored = await instances.Database.StringGetAsync(key);
        Assert.True(stored.IsNull || stored == "open", $"The state stored is '{stored}'.");
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_breaker_made_on_a_blocked_thread_learns_of_a_break_in_progress(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        await instances.Database.StringSetAsync(new RedisKeys(instances.Prefix).CircuitState("payments"), "open", TimeSpan.FromMinutes(1));
        var ui = new BlockedSynchronizationContext();

        CircuitBreakerState breaker = ui.Start(() => instances[0].GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { BreakDurationMs = 60_000, Distributed = true }));

        await Eventually(() => Task.FromResult(breaker.State == CircuitState.Open));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Disposing_the_store_stops_listening_for_other_instances_changes(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        string channel = new RedisKeys(instances.Prefix).CircuitChannel;
        await Eventually(async () => await Subscribers(instances.Database, channel) == 1);

        instances.All[0].Store.Dispose();

        await Eventually(async () => await Subscribers(instances.Database, channel) == 0);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_breaker_no_longer_watched_does_not_follow_other_instances_changes(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        RedisResilienceStore publisher = instances.All[0].Store, listener = instances.All[1].Store;
        DistributedCircuit payments = Circuit("payments"), orders = Circuit("orders");
        IDisposable watchingPayments = listener.Watch(payments);
        using IDisposable watchingOrders = listener.Watch(orders);
        await Eventually(async () => await Subscribers(instances.Database, new RedisKeys(instances.Prefix).CircuitChannel) == 2);

        watchingPayments.Dispose();
        publisher.Publish(Circuit("payments"), CircuitState.Open, TimeSpan.FromMinutes(1));
        publisher.Publish(Circuit("orders"), CircuitState.Open, TimeSpan.FromMinutes(1));

        // The change of the breaker still watched, published after the other, is the sign that both have arrived.
        await Eventually(() => Task.FromResult(orders.State == CircuitState.Open));
        Assert.Equal(CircuitState.Closed, payments.State);
    }

    private static async Task<long> Subscribers(IDatabase database, string channel)
        => (long)((RedisResult[])(await database.ExecuteAsync("PUBSUB", "NUMSUB", channel))!)[1];

    private static RateLimitOptions Limit(RateLimitAlgorithm algorithm) => new() { Algorithm = algorithm, Permits = 5, WindowMs = 60_000, Distributed = true };

    /// <summary>A breaker as a store sees it, made on a registry of its own so that no store watches it.</summary>
    private static DistributedCircuit Circuit(string name)
        => new(new ResilienceRegistry().GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { BreakDurationMs = 60_000 }));

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Patience, $"The condition did not hold within {Patience.TotalSeconds} s.");
            await Task.Delay(10);
        }
    }
}
