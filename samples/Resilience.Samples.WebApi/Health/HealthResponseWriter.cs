using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.Samples.WebApi.Health;

/// <summary>
/// Writes a health report as JSON: the overall status, then each check's status, description and data. For the
/// resilience check, the data lists every circuit breaker with its state and counts.
/// </summary>
public static class HealthResponseWriter
{
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // For people reading it with curl: 'orders-db' rather than \u0027orders-db\u0027.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>A <see cref="Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions.ResponseWriter"/>.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var body = new HealthResponse(
            report.Status,
            Math.Round(report.TotalDuration.TotalMilliseconds, 2),
            report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new HealthCheckEntry(
                    entry.Value.Status,
                    entry.Value.Description,
                    Math.Round(entry.Value.Duration.TotalMilliseconds, 2),
                    entry.Value.Exception?.Message,
                    entry.Value.Data),
                StringComparer.Ordinal));
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, body, s_options, context.RequestAborted);
    }

    private sealed record HealthResponse(HealthStatus Status, double DurationMs, IReadOnlyDictionary<string, HealthCheckEntry> Checks);

    private sealed record HealthCheckEntry(
        HealthStatus Status,
        string? Description,
        double DurationMs,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
        IReadOnlyDictionary<string, object> Data);
}
