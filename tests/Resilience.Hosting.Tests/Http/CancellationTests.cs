using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Hosting.Tests.Http;

/// <summary>The caller's cancellation ends a call wherever it is: waiting to retry, or reading the body it is to send.</summary>
public sealed class CancellationTests : HttpClientTest
{
    [Fact]
    public async Task A_caller_that_cancels_during_a_Retry_After_wait_gets_OperationCanceledException_and_no_second_request_is_sent()
    {
        // The wait is on the registry's clock: on a fake one it lasts until the test is done with it.
        Registry.TimeProvider = Clock;
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "2";
            return Task.CompletedTask;
        });
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);
        using var caller = new CancellationTokenSource();

        Task<HttpResponseMessage> call = Client(services).GetAsync("items", caller.Token);

        // The total timeout's timer, then the retry's delay.
        WaitForTimers(2);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, server.Arrivals);
    }

    [Fact]
    public async Task A_caller_that_cancels_while_a_retriable_requests_body_is_being_buffered_gets_OperationCanceledException()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(_ => StatusCodes.Status200OK);
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);
        using var caller = new CancellationTokenSource();
        using var body = new StalledStream();
        using var request = new HttpRequestMessage(HttpMethod.Put, "items/7") { Content = new StreamContent(body) };

        Task<HttpResponseMessage> call = Client(services).SendAsync(request, caller.Token);
        await body.ReadStarted.WaitAsync(HangGuard);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(0, server.Arrivals);
    }
}
