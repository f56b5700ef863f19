using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Tests;

/// <summary>The live page of <c>MapResilienceDashboard</c>: mapped in Development, as <c>dotnet run</c> starts the sample, and nowhere else.</summary>
public sealed class DashboardTests : WebApiTest
{
    [Fact]
    public async Task In_development_the_page_is_served_and_its_state_shows_the_orders_database_breaker_open()
    {
        await SetModeAsync(DownstreamServices.OrdersDb, "failing");
        await CallOrdersUntilTheBreakerRejectsAsync();

        HttpResponseMessage page = await Client.GetAsync("/resilience");
        using JsonDocument state = JsonDocument.Parse(await Client.GetStringAsync("/resilience/state"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        JsonElement ordersDb = state.RootElement.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("name").GetString() == DownstreamServices.OrdersDb);
        Assert.Equal("open", ordersDb.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Outside_development_nothing_is_served()
    {
        using HttpClient production = Factory.WithWebHostBuilder(builder => builder.UseEnvironment("Production")).CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await production.GetAsync("/resilience")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await production.GetAsync("/resilience/state")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await production.GetAsync("/health/live")).StatusCode);
    }
}
