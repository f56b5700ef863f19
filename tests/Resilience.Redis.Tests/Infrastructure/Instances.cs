using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>
/// Several instances of a service as the tests model them: each its own registry, its own connection and its own store,
/// all on one server under one key prefix unique to the test.
/// </summary>
public sealed class Instances : IAsyncDisposable
{
    private readonly List<ConnectionMultiplexer> _connections = new();

    private Instances(TestServer server, string prefix)
    {
        Server = server;
        Prefix = prefix;
    }

    public TestServer Server { get; }

    public string Prefix { get; }

    public List<(ResilienceRegistry Registry, RedisResilienceStore Store)> All { get; } = new();

    public static async Task<Instances> StartAsync(SharedServers servers, ServerKind kind, int count, RedisResilienceOptions? options = null)
        => await StartAsync(await servers.GetAsync(kind), count, options);

    public static Task<Instances> StartAsync(TestServer server, int count, RedisResilienceOptions? options = null)
    {
        var instances = new Instances(server, "t" + Guid.NewGuid().ToString("N")[..12]);
        for (int i = 0; i < count; i++)
        {
            instances.Add(options);
        }

        return Task.FromResult(instances);
    }

    public ResilienceRegistry this[int index] => All[index].Registry;

    /// <summary>Starts one more instance.</summary>
    public (ResilienceRegistry Registry, RedisResilienceStore Store) Add(RedisResilienceOptions? options = null)
    {
        ConnectionMultiplexer connection = Server.Connect();
        _connections.Add(connection);
        var registry = new ResilienceRegistry();
        // Generous by default: a test of what the shared state decides must not see a busy test machine's slow answer
        // turned into a local decision. The fault tests give their own.
        RedisResilienceOptions given = options ?? new RedisResilienceOptions { OperationTimeout = TimeSpan.FromSeconds(5) };
        RedisResilienceStore store = registry.UseRedis(connection, new RedisResilienceOptions
        {
            KeyPrefix = Prefix,
            OperationTimeout = given.OperationTimeout,
            RetryInterval = given.RetryInterval,
            IdempotencyClaimTimeout = given.IdempotencyClaimTimeout,
        });
        All.Add((registry, store));
        return (registry, store);
    }

    public IDatabase Database => _connections[0].GetDatabase();

    /// <summary>The operations the connection of instance <paramref name="index"/> has sent so far.</summary>
    public long OperationsOf(int index) => _connections[index].OperationCount;

    public async ValueTask DisposeAsync()
    {
        foreach ((ResilienceRegistry registry, RedisResilienceStore store) in All)
        {
            registry.UseDistributedStore(null);
            store.Dispose();
        }

        foreach (ConnectionMultiplexer connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
