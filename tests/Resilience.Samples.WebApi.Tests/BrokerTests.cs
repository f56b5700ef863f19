using System.Net;
using System.Net.Http.Json;
using Resilience.Samples.WebApi.Clients;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Tests;

public sealed class BrokerTests : WebApiTest
{
    [Fact]
    public async Task Publishing_the_same_event_twice_is_taken_once_by_the_broker()
    {
        HttpResponseMessage first = await Client.PostAsync("/api/orders/7/shipped", content: null);
        HttpResponseMessage second = await Client.PostAsync("/api/orders/7/shipped", content: null);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(new Acceptance("order-7-shipped", Duplicate: false), await first.Content.ReadFromJsonAsync<Acceptance>());
        Assert.Equal(new Acceptance("order-7-shipped", Duplicate: true), await second.Content.ReadFromJsonAsync<Acceptance>());
    }

    [Fact]
    public async Task A_publish_that_fails_once_is_retried_and_succeeds()
    {
        // Recovering: the third request of the phase fails. The first two go to other events.
        await SetModeAsync(DownstreamServices.Broker, "recovering");
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostAsync("/api/orders/1/shipped", content: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostAsync("/api/orders/2/shipped", content: null)).StatusCode);

        // The attempt fails, and the retry waits its delay (100 to 200 ms) on the clock.
        HttpResponseMessage response = await SendMovingTheClockAsync(
            () => Client.PostAsync("/api/orders/3/shipped", content: null), TimeSpan.FromMilliseconds(200));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(4, await DownstreamRequestsAsync(DownstreamServices.Broker));
    }
}
