using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Clients;

/// <summary>Reads precomputed recommendations from the cache. The application works without it.</summary>
public sealed partial class RecommendationsCacheClient(HttpClient http)
{
    private static readonly string[] s_popular = ["dQw4w9WgXcQ", "9bZkp7q19f0", "kJQP7kiw5Fk"];

    /// <summary>
    /// Reads a user's recommendations. A cache that is slow is no use: 100 ms, no retry. When it fails, times out
    /// or its breaker is open, the popular videos are recommended instead.
    /// </summary>
    [CircuitBreaker(3, BreakDurationMs = 5_000, Name = DownstreamServices.Cache)]
    [Timeout(100)]
    [Fallback(nameof(Popular))]
    public partial Task<Recommendations> GetRecommendationsAsync(string userId, CancellationToken cancellationToken);

    private async Task<Recommendations> GetRecommendationsAsyncCore(string userId, CancellationToken cancellationToken)
        => await http.GetFromJsonAsync<Recommendations>($"recommendations/{Uri.EscapeDataString(userId)}", cancellationToken)
            ?? throw new InvalidOperationException($"The cache answered nothing for user '{userId}'.");

    private static Recommendations Popular(string userId, CancellationToken cancellationToken) => new(userId, s_popular, "default");
}
