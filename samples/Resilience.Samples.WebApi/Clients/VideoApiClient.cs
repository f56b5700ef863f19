using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Clients;

/// <summary>Reads video details from an external video API, which allows so many calls a second.</summary>
public sealed partial class VideoApiClient(HttpClient http)
{
    /// <summary>
    /// Reads a video's details. The rate limit keeps within the provider's quota; the breaker opens when half of
    /// the calls fail over 10 s; whatever goes wrong (a failure, a timeout, an open breaker, the quota), the
    /// caller gets a placeholder instead of an error.
    /// </summary>
    [RateLimit(20, 1_000, Name = DownstreamServices.VideoApi)]
    [CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 6, SamplingDurationMs = 10_000, BreakDurationMs = 20_000, Name = DownstreamServices.VideoApi)]
    [Timeout(1_500)]
    [Fallback(nameof(Placeholder))]
    public partial Task<Video> GetVideoAsync(string id, CancellationToken cancellationToken);

    private async Task<Video> GetVideoAsyncCore(string id, CancellationToken cancellationToken)
        => await http.GetFromJsonAsync<Video>($"videos/{Uri.EscapeDataString(id)}", cancellationToken)
            ?? throw new InvalidOperationException($"The video API answered nothing for video '{id}'.");

    private static Video Placeholder(string id, CancellationToken cancellationToken, Exception error)
        => new(id, "Details unavailable right now", "unknown", 0, Placeholder: true);
}
