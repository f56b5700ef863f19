using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Resilience.Redis.Tests;

/// <summary>Methods whose attributes say <c>Distributed = true</c>, built by the real generator, in an application that calls AddResilienceRedis.</summary>
[Collection(ServersCollection.Name)]
public sealed partial class GeneratedCodeTests
{
    private readonly SharedServers _servers;

    public GeneratedCodeTests(SharedServers servers) => _servers = servers;

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task An_attribute_marked_Distributed_takes_its_permits_from_Redis_once_the_host_starts(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        string prefix = "gen" + Guid.NewGuid().ToString("N")[..8];
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddResilienceRedis(server.Endpoint + ",abortConnect=false", o =>
        {
            o.KeyPrefix = prefix;

            // A fresh connection's first script run can be slow on a busy machine; this test is about the shared count.
            o.OperationTimeout = TimeSpan.FromSeconds(5);
        });
        using IHost host = builder.Build();
        await host.StartAsync();
        try
        {
            var store = Assert.IsType<RedisResilienceStore>(ResilienceRegistry.Default.DistributedStore);
            Assert.StartsWith("Redis 127.0.0.1:", store.Description);
            var api = new TranscriptionApi();

            Assert.Equal(1, await api.TranscribeAsync("alice", CancellationToken.None));
            Assert.Equal(2, await api.TranscribeAsync("alice", CancellationToken.None));
            RateLimitRejectedException rejection = await Assert.ThrowsAsync<RateLimitRejectedException>(() => api.TranscribeAsync("alice", CancellationToken.None));
            Assert.Equal(2, await api.TranscribeAsync("bob", CancellationToken.None) - 1);

            Assert.Equal(new RateLimitInfo(2, 0, rejection.Info!.Value.ResetAt, rejection.Info.Value.RetryAfter), rejection.Info);
            Assert.True(rejection.RetryAfter > TimeSpan.FromHours(23));
            Assert.True(store.IsAvailable);
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.Null(ResilienceRegistry.Default.DistributedStore);
    }

    public sealed partial class TranscriptionApi
    {
        private int _calls;

        [RateLimit(2, 86_400_000, Algorithm = RateLimitAlgorithm.SlidingWindow, Distributed = true, Name = "transcription")]
        public partial Task<int> TranscribeAsync([RateLimitKey] string user, CancellationToken cancellationToken);

        private Task<int> TranscribeAsyncCore(string user, CancellationToken cancellationToken) => Task.FromResult(Interlocked.Increment(ref _calls));
    }
}
