using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;

namespace Resilience.AspNetCore;

/// <summary>
/// The state the dashboard page shows, as JSON: every circuit breaker (state, counts, error rate, time in state), every
/// breaker kept per key (its partitions by state, never their keys), every bulkhead and every rate limit.
/// </summary>
internal static class ResilienceDashboardSnapshot
{
    /// <summary>Writes the snapshot of <paramref name="registry"/> as UTF-8 JSON.</summary>
    public static byte[] Write(ResilienceRegistry registry)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("takenAt", registry.TimeProvider.GetUtcNow());

            writer.WriteStartArray("breakers");
            foreach (CircuitBreakerState breaker in registry.CircuitBreakers)
            {
                CircuitBreakerMetrics metrics = breaker.GetMetrics();
                writer.WriteStartObject();
                writer.WriteString("name", breaker.Name);
                writer.WriteString("state", StateName(metrics.State));
                writer.WriteNumber("calls", metrics.Calls);
                writer.WriteNumber("successes", metrics.Successes);
                writer.WriteNumber("failures", metrics.Failures);
                writer.WriteNumber("rejections", metrics.Rejections);
                writer.WriteNumber("consecutiveFailures", metrics.ConsecutiveFailures);
                writer.WriteNumber("errorRate", metrics.RecentErrorRate);
                writer.WriteNumber("timeInStateSeconds", metrics.TimeInState.TotalSeconds);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            writer.WriteStartArray("keyedBreakers");
            foreach (KeyedCircuitBreakerState keyed in registry.KeyedCircuitBreakers)
            {
                writer.WriteStartObject();
                writer.WriteString("name", keyed.Name);
                writer.WriteStartObject("partitions");
                foreach (KeyValuePair<CircuitState, int> count in keyed.CountByState())
                {
                    writer.WriteNumber(StateName(count.Key), count.Value);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            writer.WriteStartArray("bulkheads");
            foreach (BulkheadState bulkhead in registry.Bulkheads)
            {
                BulkheadOptions options = bulkhead.Options;
                writer.WriteStartObject();
                writer.WriteString("name", bulkhead.Name);
                writer.WriteNumber("active", bulkhead.ActiveCount);
                writer.WriteNumber("maxConcurrency", options.MaxConcurrency);
                writer.WriteNumber("queued", bulkhead.QueuedCount);
                writer.WriteNumber("maxQueue", options.MaxQueue);
                writer.WriteNumber("rejections", bulkhead.RejectionCount);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            writer.WriteStartArray("rateLimits");
            foreach (RateLimiterState limit in registry.RateLimiters)
            {
                RateLimitOptions options = limit.Options;
                writer.WriteStartObject();
                writer.WriteString("name", limit.Name);
                writer.WriteNumber("permits", options.Permits);
                writer.WriteNumber("windowMs", options.WindowMs);
                writer.WriteNumber("queued", limit.QueuedCount);
                writer.WriteNumber("rejections", limit.RejectionCount);
                writer.WriteNumber("retryAfterSeconds", limit.RetryAfter.TotalSeconds);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half-open",
        _ => "isolated",
    };
}
