using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Hosting.Tests.Http;

/// <summary>
/// A failed response the handler retries past is disposed, which gives its connection back: with one connection
/// allowed per server, a response left undisposed would make the next attempt wait for ever.
/// </summary>
public sealed class ConnectionLeakTests : HttpClientTest
{
    // Larger than the socket buffers: the connection is busy until the body is read or the response disposed.
    private const int LargeBody = 256 * 1024;
    private const int Calls = 1_000;

    [Fact]
    public async Task A_thousand_calls_that_each_retry_past_a_503_with_a_large_unread_body_all_get_their_200_over_one_connection()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(async (context, number) =>
        {
            if (number % 2 == 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.Body.WriteAsync(new byte[LargeBody]);
            }
        });
        await using ServiceProvider services = ClientServices<CatalogHandler>(
            server,
            client => client.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = 1 }));
        HttpClient client = Client(services);

        for (int call = 1; call <= Calls; call++)
        {
            // A leaked connection shows as a call that waits for one: it fails here instead of hanging the run.
            using var giveUp = new CancellationTokenSource(HangGuard);
            using HttpResponseMessage response = await client.GetAsync("items", giveUp.Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"Call {call} ended with {(int)response.StatusCode}.");
        }

        Assert.Equal(2 * Calls, server.Arrivals);
    }
}
