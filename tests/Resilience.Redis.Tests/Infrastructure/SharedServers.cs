namespace Resilience.Redis.Tests;

/// <summary>
/// One Garnet and one redis-server for the whole test run, started on first use. Tests keep apart by giving each its own
/// key prefix (<see cref="Instances"/> does).
/// </summary>
public sealed class SharedServers : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<ServerKind, TestServer> _servers = new();

    public static TheoryData<ServerKind> Kinds => new() { ServerKind.Garnet, ServerKind.Redis };

    /// <summary>The running server of <paramref name="kind"/>; skips (or fails) the test when a real Redis cannot be had.</summary>
    public async Task<TestServer> GetAsync(ServerKind kind)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_servers.TryGetValue(kind, out TestServer? server))
            {
                server = await TestServer.StartAsync(kind);
                _servers[kind] = server;
            }

            return server;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (TestServer server in _servers.Values)
        {
            await server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<SharedServers>
{
    public const string Name = "servers";
}
