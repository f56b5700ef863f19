using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Hosting.Tests.Http;

/// <summary>
/// Which responses and errors a client with <c>AddResilientHandler</c> sends again, and how long it waits: real
/// requests to a <see cref="LoopbackServer"/>, counted where they arrive.
/// </summary>
public sealed class RetryTests : HttpClientTest
{
    [Fact]
    public async Task A_typed_client_gets_the_200_that_follows_two_503s_and_the_breaker_of_that_host_stays_closed()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(n => n <= 2 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        await using ServiceProvider services = Build(s => s.AddHttpClient<CatalogClient>(c => Aim(c, server)).AddResilientHandler<CatalogHandler>());

        using HttpResponseMessage response = await services.GetRequiredService<CatalogClient>().GetItemAsync("42", CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, server.Arrivals);
        Assert.Equal(1, BreakerPerHost(CatalogHandler.BreakerName).PartitionCount);
        Assert.Equal(CircuitState.Closed, Partition(CatalogHandler.BreakerName, server).State);
    }

    [Theory]
    [InlineData(StatusCodes.Status408RequestTimeout)]
    [InlineData(StatusCodes.Status429TooManyRequests)]
    [InlineData(StatusCodes.Status500InternalServerError)]
    [InlineData(StatusCodes.Status502BadGateway)]
    [InlineData(StatusCodes.Status504GatewayTimeout)]
    public async Task A_transient_status_is_sent_three_times_and_the_last_response_is_returned(int status)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, number) =>
        {
            context.Response.StatusCode = status;
            return context.Response.WriteAsync("attempt " + number.ToString(CultureInfo.InvariantCulture));
        });
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);

        using HttpResponseMessage response = await Client(services).GetAsync("items", CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("attempt 3", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, server.Arrivals);
    }

    [Theory]
    [InlineData(StatusCodes.Status400BadRequest)]
    [InlineData(StatusCodes.Status404NotFound)]
    [InlineData(StatusCodes.Status409Conflict)]
    public async Task A_client_error_other_than_408_and_429_is_returned_at_once_and_counts_as_a_success(int status)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(_ => status);
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);
        HttpClient client = Client(services);

        for (int call = 0; call < 4; call++)
        {
            using HttpResponseMessage response = await client.GetAsync("items", CancellationToken.None).WaitAsync(HangGuard);
            Assert.Equal(status, (int)response.StatusCode);
        }

        // Four calls, one request each; a breaker that opens after three failures is still closed.
        Assert.Equal(4, server.Arrivals);
        Assert.Equal(CircuitState.Closed, Partition(CatalogHandler.BreakerName, server).State);
    }

    [Fact]
    public async Task A_429_with_Retry_After_of_one_second_is_sent_again_no_sooner_than_a_second_later()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, number) =>
        {
            if (number == 1)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "1";
            }

            return Task.CompletedTask;
        });
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);

        using HttpResponseMessage response = await Client(services).GetAsync("items", CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<ReceivedRequest> requests = server.Requests;
        Assert.Equal(2, requests.Count);

        // The handler's own backoff is a millisecond; only the Retry-After makes the second request wait. The bound
        // is a little under the second asked for, as timers may fire a tick early.
        TimeSpan gap = requests[1].ArrivedAt - requests[0].ArrivedAt;
        Assert.True(gap >= TimeSpan.FromMilliseconds(900), $"The second request arrived {gap.TotalMilliseconds:F0} ms after the first; Retry-After asked for 1 s.");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(60)]
    public async Task A_429_whose_Retry_After_outlasts_the_total_timeout_is_returned_at_once_without_a_second_request(int secondsAsked)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = secondsAsked.ToString(CultureInfo.InvariantCulture);
            return context.Response.WriteAsync("slow down");
        });

        // A total timeout of 1.5 s; MaxDelayMs is the default 30 s, so the wait asked for is not cut short by it.
        await using ServiceProvider services = ClientServices<TotalTimeoutHandler>(server);
        var stopwatch = Stopwatch.StartNew();

        using HttpResponseMessage response = await Client(services).GetAsync("items", CancellationToken.None).WaitAsync(HangGuard);

        stopwatch.Stop();
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(secondsAsked), response.Headers.RetryAfter?.Delta);

        // The response handed back is the server's, still readable: it was not disposed as a discarded attempt's is.
        Assert.Equal("slow down", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, server.Arrivals);

        // Not a speed claim: a call that had started the wait would have lasted it, or ended in the total timeout.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(secondsAsked), $"The call took {stopwatch.Elapsed.TotalSeconds:F1} s; it should not have waited for the Retry-After of {secondsAsked} s.");
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(8, 5)]
    public async Task A_Retry_After_date_sets_the_next_attempts_delay_up_to_MaxDelayMs(int secondsAsked, int secondsWaited)
    {
        // The retry waits on the registry's clock, and the date is compared with it: on a fake clock the delay is exact.
        Registry.TimeProvider = Clock;
        var listener = new RecordingListener(CatalogHandler.BreakerName);
        using IDisposable registration = Registry.AddListener(listener);
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, number) =>
        {
            if (number == 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = (Clock.GetUtcNow() + TimeSpan.FromSeconds(secondsAsked)).ToString("R", CultureInfo.InvariantCulture);
            }

            return Task.CompletedTask;
        });
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);

        Task<HttpResponseMessage> call = Client(services).GetAsync("items", CancellationToken.None);

        // The total timeout's timer, then the retry's delay.
        WaitForTimers(2);
        Assert.Equal(1, server.Arrivals);
        RetryEventArgs retry = Assert.Single(listener.Retries);
        Assert.Equal(TimeSpan.FromSeconds(secondsWaited), retry.Delay);

        Clock.Advance(retry.Delay);
        using HttpResponseMessage response = await call.WaitAsync(HangGuard);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Arrivals);
    }

    [Fact]
    public async Task A_connection_the_server_aborts_is_retried_and_the_next_attempt_succeeds()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, number) =>
        {
            if (number == 1)
            {
                context.Abort();
            }

            return Task.CompletedTask;
        });
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);

        using HttpResponseMessage response = await Client(services).GetAsync("items", CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Arrivals);
        Assert.Equal(CircuitState.Closed, Partition(CatalogHandler.BreakerName, server).State);
    }

    [Fact]
    public async Task Connections_the_server_aborts_every_time_end_in_HttpRequestException_after_three_attempts_and_open_the_hosts_breaker()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, _) =>
        {
            context.Abort();
            return Task.CompletedTask;
        });
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);

        await Assert.ThrowsAsync<HttpRequestException>(() => Client(services).GetAsync("items", CancellationToken.None).WaitAsync(HangGuard));

        Assert.Equal(3, server.Arrivals);
        Assert.Equal(CircuitState.Open, Partition(CatalogHandler.BreakerName, server).State);
    }
}
