using System.Net;
using System.Net.Http.Json;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Tests;

public sealed class DownstreamEndpointsTests : WebApiTest
{
    [Fact]
    public async Task The_control_endpoint_forces_a_phase_and_reports_it()
    {
        HttpResponseMessage response = await Client.PostAsync("/downstream/broker/mode/slow", content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        DownstreamStatus? status = await response.Content.ReadFromJsonAsync<DownstreamStatus>(JsonOptions);
        Assert.Equal((DownstreamMode.Slow, DownstreamPhase.Slow), (status?.Mode, status?.Phase));
    }

    [Theory]
    [InlineData("/downstream/nope/mode/failing", HttpStatusCode.NotFound)]
    [InlineData("/downstream/broker/mode/broken", HttpStatusCode.BadRequest)]
    [InlineData("/downstream/broker/mode/2", HttpStatusCode.BadRequest)]
    public async Task The_control_endpoint_refuses_unknown_services_and_modes(string path, HttpStatusCode expected)
    {
        HttpResponseMessage response = await Client.PostAsync(path, content: null);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task A_failing_service_answers_503()
    {
        await SetModeAsync(DownstreamServices.OrdersDb, "failing");

        HttpResponseMessage response = await Client.GetAsync("/downstream/orders-db/orders/1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
