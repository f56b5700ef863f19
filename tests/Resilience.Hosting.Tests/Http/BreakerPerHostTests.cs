using System.Globalization;
using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Hosting.Tests.Http;

/// <summary>
/// One resilient handler type on clients of two hosts keeps a breaker for each host: the failing one's opens and
/// rejects, the healthy one's stays closed. And a breaker that honours <c>Retry-After</c> stays open as long as the
/// response that opened it asked.
/// </summary>
public sealed class BreakerPerHostTests : HttpClientTest
{
    [Fact]
    public async Task A_failing_host_opens_its_own_partition_while_calls_to_a_healthy_host_through_the_same_handler_type_succeed()
    {
        await using LoopbackServer healthy = await LoopbackServer.StartAsync(_ => StatusCodes.Status200OK);
        await using LoopbackServer failing = await LoopbackServer.StartAsync(_ => StatusCodes.Status503ServiceUnavailable);
        await using ServiceProvider services = Build(s =>
        {
            s.AddHttpClient("healthy", c => Aim(c, healthy)).AddResilientHandler<CatalogHandler>();
            s.AddHttpClient("failing", c => Aim(c, failing)).AddResilientHandler<CatalogHandler>();
        });
        HttpClient healthyClient = Client(services, "healthy");
        HttpClient failingClient = Client(services, "failing");

        // Three attempts, three failures in a row: the failing host's partition opens on the last, whose 503 is returned.
        using (HttpResponseMessage opening = await failingClient.GetAsync("items", CancellationToken.None).WaitAsync(HangGuard))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, opening.StatusCode);
        }

        Assert.Equal(3, failing.Arrivals);
        BrokenCircuitException rejection = await Assert.ThrowsAsync<BrokenCircuitException>(
            () => failingClient.GetAsync("items", CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(CatalogHandler.BreakerName, rejection.PolicyName);
        Assert.Equal(failing.Authority, rejection.Key);
        Assert.Contains(failing.Authority, rejection.Message, StringComparison.Ordinal);
        Assert.Equal(CircuitState.Open, rejection.State);
        Assert.Equal(3, failing.Arrivals);

        for (int call = 0; call < 5; call++)
        {
            using HttpResponseMessage response = await healthyClient.GetAsync("items", CancellationToken.None).WaitAsync(HangGuard);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(5, healthy.Arrivals);
        KeyedCircuitBreakerState<HttpAuthority> breaker = BreakerPerHost(CatalogHandler.BreakerName);
        Assert.Equal(2, breaker.PartitionCount);
        Assert.Equal(new[] { failing.Authority, healthy.Authority }.Order(StringComparer.Ordinal), breaker.Partitions.Select(p => p.Key));
        Assert.Equal(failing.Authority, Assert.Single(breaker.NotClosedPartitions()).Key);
        Assert.Equal(1, breaker.CountByState()[CircuitState.Open]);
        Assert.Equal(1, breaker.CountByState()[CircuitState.Closed]);
        Assert.Equal(CircuitState.Closed, Partition(CatalogHandler.BreakerName, healthy).State);
    }

    [Theory]
    [InlineData(30, 30)]
    [InlineData(7_200, 3_600)]
    public async Task A_breaker_that_honours_Retry_After_stays_open_as_long_as_the_503_that_opened_it_asked_at_most_an_hour(int secondsAsked, int secondsHeld)
    {
        // The break is timed on the registry's clock: on a fake one, "later than the 200 ms break" is exact.
        Registry.TimeProvider = Clock;
        var listener = new RecordingListener(HonorRetryAfterHandler.BreakerName);
        using IDisposable registration = Registry.AddListener(listener);
        await using LoopbackServer server = await ServerAskingToRetryAfter(secondsAsked);
        await using ServiceProvider services = ClientServices<HonorRetryAfterHandler>(server);
        HttpClient client = Client(services);

        using (HttpResponseMessage opening = await client.GetAsync("items", CancellationToken.None).WaitAsync(HangGuard))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, opening.StatusCode);
        }

        CircuitStateChangedEventArgs opened = Assert.Single(listener.StateChanges);
        Assert.Equal(CircuitState.Open, opened.State);
        Assert.Equal(server.Authority, opened.Key);
        Assert.Equal(TimeSpan.FromSeconds(secondsHeld), opened.BreakDuration);

        Clock.Advance(TimeSpan.FromSeconds(1));
        BrokenCircuitException rejection = await Assert.ThrowsAsync<BrokenCircuitException>(
            () => client.GetAsync("items", CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(server.Authority, rejection.Key);
        Assert.True(rejection.RetryAfter > TimeSpan.FromSeconds(secondsHeld - 5), $"RetryAfter is {rejection.RetryAfter}; the 503 asked for {secondsAsked} s.");
        Assert.Equal(CircuitState.Open, Partition(HonorRetryAfterHandler.BreakerName, server).State);
        Assert.Equal(1, server.Arrivals);
    }

    [Fact]
    public async Task A_breaker_that_does_not_honour_Retry_After_breaks_for_its_own_200_ms_whatever_the_503_asked()
    {
        Registry.TimeProvider = Clock;
        var listener = new RecordingListener(FixedBreakHandler.BreakerName);
        using IDisposable registration = Registry.AddListener(listener);
        await using LoopbackServer server = await ServerAskingToRetryAfter(30);
        await using ServiceProvider services = ClientServices<FixedBreakHandler>(server);
        HttpClient client = Client(services);

        using (HttpResponseMessage opening = await client.GetAsync("items", CancellationToken.None).WaitAsync(HangGuard))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, opening.StatusCode);
        }

        BrokenCircuitException rejection = await Assert.ThrowsAsync<BrokenCircuitException>(
            () => client.GetAsync("items", CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(server.Authority, rejection.Key);
        Assert.True(rejection.RetryAfter <= TimeSpan.FromMilliseconds(FixedBreakHandler.BreakDurationMs), $"RetryAfter is {rejection.RetryAfter}; the break is {FixedBreakHandler.BreakDurationMs} ms.");
        Assert.Equal(TimeSpan.FromMilliseconds(FixedBreakHandler.BreakDurationMs), Assert.Single(listener.StateChanges).BreakDuration);

        // Past the break the next call is let through as a probe, and reaches the server.
        Clock.Advance(TimeSpan.FromMilliseconds(FixedBreakHandler.BreakDurationMs + 50));
        using (HttpResponseMessage probe = await client.GetAsync("items", CancellationToken.None).WaitAsync(HangGuard))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, probe.StatusCode);
        }

        Assert.Equal(2, server.Arrivals);
    }

    private static Task<LoopbackServer> ServerAskingToRetryAfter(int seconds)
        => LoopbackServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
}
