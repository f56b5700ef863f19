using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>The distributed mode's health check: its status, description and data with no store, a reachable store and an unreachable one.</summary>
[Collection(ServersCollection.Name)]
public sealed class RedisResilienceHealthCheckTests
{
    private readonly SharedServers _servers;

    public RedisResilienceHealthCheckTests(SharedServers servers) => _servers = servers;

    [Fact]
    public async Task Without_a_store_or_a_distributed_policy_it_is_healthy()
    {
        HealthCheckResult result = await Check(new ResilienceRegistry());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("No policy is marked Distributed, and no distributed store is registered.", result.Description);
    }

    [Fact]
    public async Task Without_a_store_distributed_policies_are_named_as_counting_on_this_instance_only()
    {
        var registry = new ResilienceRegistry();
        registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { Distributed = true });
        registry.GetOrAddCircuitBreaker("orders", new CircuitBreakerOptions { Distributed = true });
        registry.GetOrAddCircuitBreaker("local-only", new CircuitBreakerOptions());

        HealthCheckResult result = await Check(registry);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(
            "No distributed store is registered, so orders, payments count on this instance only. " +
            "Call ResilienceRegistry.Default.UseRedis(connection) or services.AddResilienceRedis(...).",
            result.Description);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task With_a_reachable_store_it_is_healthy_and_names_the_store(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        string store = $"Redis {instances.Server.Endpoint}, prefix '{instances.Prefix}'";

        HealthCheckResult result = await Check(instances[0]);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(store + " is reachable; distributed policies share their state.", result.Description);
        Assert.Equal(store, result.Data["store"]);
        Assert.Equal(0L, result.Data["failures"]);
        Assert.Equal(0L, result.Data["lostIdempotencyClaims"]);
    }

    [Fact]
    public async Task With_a_store_that_cannot_be_reached_it_is_degraded_and_counts_the_failures()
    {
        int port = TestServer.FreeLoopbackPort();
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=200");
        var registry = new ResilienceRegistry();
        using RedisResilienceStore store = registry.UseRedis(connection, new RedisResilienceOptions { KeyPrefix = "orders-api" });

        HealthCheckResult result = await Check(registry);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal($"Redis 127.0.0.1:{port}, prefix 'orders-api' cannot be reached; distributed policies decide on their local state until it can.", result.Description);
        Assert.Equal($"Redis 127.0.0.1:{port}, prefix 'orders-api'", result.Data["store"]);
        Assert.Equal(store.FailureCount, result.Data["failures"]);
        Assert.Equal(0L, result.Data["lostIdempotencyClaims"]);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task After_a_failed_operation_it_is_degraded_for_the_retry_interval_and_reports_the_failure(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(
            _servers, kind, count: 1, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromSeconds(5), RetryInterval = TimeSpan.FromHours(1) });
        var limit = new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindow, Permits = 5, WindowMs = 60_000 };
        // A key of the wrong type makes the rate-limit script fail while the connection is up.
        await instances.Database.StringSetAsync(new RedisKeys(instances.Prefix).RateLimit(RateLimitAlgorithm.SlidingWindow, "transcribe", null), "not a sorted set");

        DistributedAcquireResult acquired = await instances.All[0].Store.TryAcquireAsync("transcribe", null, limit, 1, CancellationToken.None);
        HealthCheckResult result = await Check(instances[0]);

        Assert.False(acquired.IsAvailable);
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.EndsWith(" cannot be reached; distributed policies decide on their local state until it can.", result.Description);
        Assert.Equal(1L, result.Data["failures"]);
    }

    [Fact]
    public void Adding_the_check_to_no_builder_is_refused()
    {
        ArgumentNullException error = Assert.Throws<ArgumentNullException>(() => RedisResilienceHealthChecksBuilderExtensions.AddResilienceRedisHealthCheck(null!));

        Assert.Equal("builder", error.ParamName);
    }

    private static Task<HealthCheckResult> Check(ResilienceRegistry registry)
        => new RedisResilienceHealthCheck(registry).CheckHealthAsync(new HealthCheckContext(), CancellationToken.None);
}
