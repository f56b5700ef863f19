using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;

namespace Resilience.AspNetCore;

/// <summary>
/// The state the dashboard page shows, as JSON: every circuit breaker (state, counts, error rate, time in state), every
/// breaker kept per key (its partitions by state, never their keys), every bulkhead, every rate limit (permits used and
/// left in its window) and every rate limit kept per key (its partitions, those with no permit left, never their keys).
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
                RateLimitInfo info = limit.GetLimitInfo();
                writer.WriteNumber("used", info.Limit - info.Remaining);
                writer.WriteNumber("remaining", info.Remaining);
                writer.WriteNumber("queued", limit.QueuedCount);
                writer.WriteNumber("rejections", limit.RejectionCount);
                writer.WriteNumber("retryAfterSeconds", limit.RetryAfter.TotalSeconds);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            writer.WriteStartArray("keyedRateLimits");
            foreach (KeyedRateLimiterState keyed in registry.KeyedRateLimiters)
            {
                WriteKeyedRateLimit(writer, keyed);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A rate limit kept per key, as counts over the partitions held now: how many there are, how many have no permit
    /// left, the calls waiting; and its rejections, those of keys dropped as idle included. Never a key: keys are
    /// callers, tenants or hosts.
    /// </summary>
    private static void WriteKeyedRateLimit(Utf8JsonWriter writer, KeyedRateLimiterState keyed)
    {
        RateLimitOptions options = keyed.Options;
        int partitions = 0;
        int exhausted = 0;
        int queued = 0;
        foreach (RateLimiterState partition in keyed.Partitions)
        {
            partitions++;
            if (partition.GetLimitInfo().Remaining == 0)
            {
                exhausted++;
            }

            queued += partition.QueuedCount;
        }

        // Those of the keys dropped as idle too: the count never goes back when idle keys are swept.
        long rejections = keyed.RejectionCount;

        writer.WriteStartObject();
        writer.WriteString("name", keyed.Name);
        writer.WriteNumber("permits", options.Permits);
        writer.WriteNumber("windowMs", options.WindowMs);
        writer.WriteNumber("partitions", partitions);
        writer.WriteNumber("exhausted", exhausted);
        writer.WriteNumber("queued", queued);
        writer.WriteNumber("rejections", rejections);
        writer.WriteEndObject();
    }

    private static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half-open",
        _ => "isolated",
    };
}
