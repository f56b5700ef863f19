using System.Net;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Tests;

public sealed class MetricsTests : WebApiTest
{
    [Fact]
    public async Task Metrics_show_call_counts_and_breaker_states_by_policy_name()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/orders/1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/orders/2")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/videos/abc")).StatusCode);
        ResilienceRegistry.Default.CircuitBreaker(DownstreamServices.Cache).Isolate();

        string[] lines = (await Client.GetStringAsync("/metrics")).Split('\n');

        Assert.Equal(2, Value(lines, "resilience_calls_total", ("resilience_policy", "orders-db"), ("resilience_outcome", "success")));
        Assert.Equal(1, Value(lines, "resilience_calls_total", ("resilience_policy", "video-api"), ("resilience_outcome", "success")));
        Assert.Equal(0, Value(lines, "resilience_circuit_breaker_state", ("resilience_policy", "orders-db")));
        Assert.Equal(0, Value(lines, "resilience_circuit_breaker_state", ("resilience_policy", "video-api")));
        Assert.Equal(0, Value(lines, "resilience_circuit_breaker_state", ("resilience_policy", "broker")));
        Assert.Equal((int)CircuitState.Isolated, Value(lines, "resilience_circuit_breaker_state", ("resilience_policy", "cache")));
    }

    [Fact]
    public async Task Call_durations_are_counted_in_the_configured_buckets_in_seconds()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/orders/1")).StatusCode);

        string[] lines = (await Client.GetStringAsync("/metrics")).Split('\n');

        string[] bounds = lines
            .Where(l => l.StartsWith("resilience_call_duration_seconds_bucket{", StringComparison.Ordinal) && l.Contains("resilience_policy=\"orders-db\"", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("le=\"", StringComparison.Ordinal) + 4)..l.IndexOf("\"}", StringComparison.Ordinal)])
            .ToArray();
        Assert.Equal(["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"], bounds);
        Assert.Equal(1, Value(lines, "resilience_call_duration_seconds_count", ("resilience_policy", "orders-db")));
    }

    /// <summary>The value of the one sample of <paramref name="metric"/> with these labels (among others).</summary>
    private static double Value(string[] lines, string metric, params (string Name, string Value)[] labels)
    {
        string line = Assert.Single(lines, l =>
            l.StartsWith(metric + "{", StringComparison.Ordinal)
            && labels.All(label => l.Contains($"{label.Name}=\"{label.Value}\"", StringComparison.Ordinal)));
        string[] parts = line[(line.LastIndexOf('}') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
