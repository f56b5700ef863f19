using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Resilience.Generators.Tests.Behaviour;

public partial class StreamingClient(HttpClient client)
{
    [Retry(3, DelayMs = 0)]
    public partial Task<HttpResponseMessage> GetAsync(string path, CancellationToken ct);

    // Headers only: the body stays on the connection until the response is read or disposed.
    private Task<HttpResponseMessage> GetAsyncCore(string path, CancellationToken ct)
        => client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
}

/// <summary>The generated code against a real Kestrel server on a loopback port, through a real <see cref="HttpClient"/>.</summary>
[Collection(RegistryCollection.Name)]
public sealed class HttpServerTests : RegistryTest
{
    private const int LargeBody = 256 * 1024;

    [Fact]
    public async Task A_thousand_calls_that_each_retry_two_503s_leak_no_connection()
    {
        var connections = new ConcurrentDictionary<string, int>();
        int requests = 0;
        await using WebApplication server = await StartServerAsync(async context =>
        {
            connections.TryAdd(context.Connection.Id, 0);
            int request = Interlocked.Increment(ref requests);
            context.Response.StatusCode = request % 3 == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;

            // A body larger than the socket buffers, which the client never reads: it holds the connection until the
            // response is disposed.
            await context.Response.Body.WriteAsync(new byte[LargeBody]);
        });

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1 };
        using var client = new HttpClient(handler) { BaseAddress = Address(server), Timeout = TimeSpan.FromSeconds(10) };
        var subject = new StreamingClient(client);

        for (int call = 0; call < 1_000; call++)
        {
            using HttpResponseMessage response = await subject.GetAsync("flaky", CancellationToken.None);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3_000, Volatile.Read(ref requests));
        Assert.True(connections.Count <= 2, $"the failed responses were disposed, so one connection served the calls (it took {connections.Count})");
    }

    private static async Task<WebApplication> StartServerAsync(RequestDelegate respond)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        app.Run(respond);
        await app.StartAsync();
        return app;
    }

    private static Uri Address(WebApplication server)
        => new(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
}
