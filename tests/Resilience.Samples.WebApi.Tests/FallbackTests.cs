using System.Net;
using System.Net.Http.Json;
using Resilience.Samples.WebApi.Clients;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Tests;

public sealed class FallbackTests : WebApiTest
{
    [Fact]
    public async Task Recommendations_come_from_the_cache_while_it_works()
    {
        Recommendations? recommendations = await Client.GetFromJsonAsync<Recommendations>("/api/users/u1/recommendations");

        Assert.Equal("cache", recommendations?.Source);
        Assert.Equal(["u1-pick-1", "u1-pick-2", "u1-pick-3"], recommendations?.VideoIds);
    }

    [Fact]
    public async Task Recommendations_fall_back_to_the_popular_videos_while_the_cache_fails()
    {
        await SetModeAsync(DownstreamServices.Cache, "failing");

        HttpResponseMessage response = await Client.GetAsync("/api/users/u1/recommendations");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Recommendations? recommendations = await response.Content.ReadFromJsonAsync<Recommendations>();
        Assert.Equal("default", recommendations?.Source);
        Assert.Equal(["dQw4w9WgXcQ", "9bZkp7q19f0", "kJQP7kiw5Fk"], recommendations?.VideoIds);
        Assert.Equal(1, await DownstreamRequestsAsync(DownstreamServices.Cache));
    }

    [Fact]
    public async Task Videos_are_answered_with_a_placeholder_while_the_video_api_fails()
    {
        await SetModeAsync(DownstreamServices.VideoApi, "failing");

        HttpResponseMessage response = await Client.GetAsync("/api/videos/abc");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Video? video = await response.Content.ReadFromJsonAsync<Video>();
        Assert.Equal(new Video("abc", "Details unavailable right now", "unknown", 0, Placeholder: true), video);
    }
}
