using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Tests;

public sealed class ReadinessTests : WebApiTest
{
    private static CircuitBreakerState OrdersBreaker => ResilienceRegistry.Default.CircuitBreaker(DownstreamServices.OrdersDb);

    [Fact]
    public async Task Readiness_turns_503_when_the_orders_database_stays_down()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/ready")).StatusCode);
        await SetModeAsync(DownstreamServices.OrdersDb, "failing");

        HttpResponseMessage rejected = await CallOrdersUntilTheBreakerRejectsAsync();

        Assert.Equal(CircuitState.Open, OrdersBreaker.State);
        TimeSpan retryAfter = Assert.IsType<TimeSpan>(rejected.Headers.RetryAfter?.Delta);
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(OrdersBreaker.Options.BreakDurationMs));

        HttpResponseMessage ready = await Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using JsonDocument report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", report.RootElement.GetProperty("status").GetString());
        JsonElement breaker = report.RootElement.GetProperty("checks").GetProperty("resilience").GetProperty("data").GetProperty(DownstreamServices.OrdersDb);
        Assert.Equal("open", breaker.GetProperty("state").GetString());
        Assert.True(breaker.GetProperty("critical").GetBoolean());

        FakeLogRecord opened = Assert.Single(Factory.Services.GetRequiredService<FakeLogCollector>().GetSnapshot(), log => log.Id.Id == 1001);
        Assert.Contains("'orders-db' opened", opened.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_open_breaker_keeps_calls_away_from_the_database_after_the_configured_number_of_failures()
    {
        await SetModeAsync(DownstreamServices.OrdersDb, "failing");

        await CallOrdersUntilTheBreakerRejectsAsync();
        long requests = await DownstreamRequestsAsync(DownstreamServices.OrdersDb);
        HttpResponseMessage again = await Client.GetAsync("/api/orders/42");

        // appsettings.json sets FailureThreshold 4 for orders-db: four failed attempts, then no more calls.
        Assert.Equal(OrdersBreaker.Options.FailureThreshold, requests);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        Assert.Equal(requests, await DownstreamRequestsAsync(DownstreamServices.OrdersDb));
    }

    [Fact]
    public async Task Readiness_returns_to_200_once_a_probe_succeeds_after_the_break()
    {
        await SetModeAsync(DownstreamServices.OrdersDb, "failing");
        await CallOrdersUntilTheBreakerRejectsAsync();
        await SetModeAsync(DownstreamServices.OrdersDb, "healthy");
        var breakDuration = TimeSpan.FromMilliseconds(OrdersBreaker.Options.BreakDurationMs);

        // The database is back, but until the break is over the breaker does not ask it.
        Clock.Advance(breakDuration - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Client.GetAsync("/api/orders/42")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Client.GetAsync("/health/ready")).StatusCode);

        Clock.Advance(breakDuration);
        HttpResponseMessage probe = await Client.GetAsync("/api/orders/42");

        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(CircuitState.Closed, OrdersBreaker.State);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Liveness_stays_200_while_readiness_is_503()
    {
        await SetModeAsync(DownstreamServices.OrdersDb, "failing");
        await CallOrdersUntilTheBreakerRejectsAsync();

        HttpResponseMessage ready = await Client.GetAsync("/health/ready");
        HttpResponseMessage live = await Client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using JsonDocument report = JsonDocument.Parse(await live.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        Assert.Empty(report.RootElement.GetProperty("checks").EnumerateObject());
    }

    [Fact]
    public async Task A_non_critical_breaker_that_opens_leaves_readiness_at_200_but_degraded()
    {
        await SetModeAsync(DownstreamServices.Cache, "failing");
        for (int i = 0; i < ResilienceRegistry.Default.CircuitBreaker(DownstreamServices.Cache).Options.FailureThreshold; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/users/u1/recommendations")).StatusCode);
        }

        HttpResponseMessage ready = await Client.GetAsync("/health/ready");

        Assert.Equal(CircuitState.Open, ResilienceRegistry.Default.CircuitBreaker(DownstreamServices.Cache).State);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using JsonDocument report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Degraded", report.RootElement.GetProperty("status").GetString());
    }
}
