using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>AddResilienceRedis in a host: the default registry's stores while it runs, and after it stops.</summary>
[Collection(ServersCollection.Name)]
public sealed class RedisResilienceHostTests
{
    private readonly SharedServers _servers;

    public RedisResilienceHostTests(SharedServers servers) => _servers = servers;

    [Fact]
    public async Task Stopping_the_host_gives_the_default_registry_back_its_local_stores()
    {
        TestServer server = await _servers.GetAsync(ServerKind.Garnet);
        using ConnectionMultiplexer connection = server.Connect();
        IIdempotencyStore local = ResilienceRegistry.Default.IdempotencyStore;
        using IHost host = Host(connection);

        await host.StartAsync();
        Assert.IsType<RedisCachedFallbackStore>(ResilienceRegistry.Default.CachedFallbackStore);
        Assert.IsType<RedisIdempotencyStore>(ResilienceRegistry.Default.IdempotencyStore);
        await host.StopAsync();

        Assert.Null(ResilienceRegistry.Default.DistributedStore);
        Assert.Null(ResilienceRegistry.Default.CachedFallbackStore);
        Assert.Same(local, ResilienceRegistry.Default.IdempotencyStore);
    }

    [Fact]
    public async Task Stores_the_application_registered_while_the_host_ran_are_left_in_place_when_it_stops()
    {
        TestServer server = await _servers.GetAsync(ServerKind.Garnet);
        using ConnectionMultiplexer connection = server.Connect();
        IIdempotencyStore local = ResilienceRegistry.Default.IdempotencyStore;
        using IHost host = Host(connection);
        var cachedFallbackStore = new RedisCachedFallbackStore(connection);
        var idempotencyStore = new InMemoryIdempotencyStore();

        await host.StartAsync();
        try
        {
            ResilienceRegistry.Default.UseCachedFallbackStore(cachedFallbackStore);
            ResilienceRegistry.Default.UseIdempotencyStore(idempotencyStore);
            await host.StopAsync();

            Assert.Same(cachedFallbackStore, ResilienceRegistry.Default.CachedFallbackStore);
            Assert.Same(idempotencyStore, ResilienceRegistry.Default.IdempotencyStore);
        }
        finally
        {
            ResilienceRegistry.Default.UseCachedFallbackStore(null);
            ResilienceRegistry.Default.UseIdempotencyStore(local);
        }
    }

    private static IHost Host(IConnectionMultiplexer connection)
    {
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddResilienceRedis(_ => connection, o => o.KeyPrefix = "host" + Guid.NewGuid().ToString("N")[..8]);
        return builder.Build();
    }
}
