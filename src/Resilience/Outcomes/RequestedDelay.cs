using System;
using System.Net.Http;

namespace Resilience;

/// <summary>
/// How long a failed attempt asked to be left alone before the next one: an HTTP response's <c>Retry-After</c>, or
/// a nested policy's rejection's <see cref="ResilienceRejectedException.RetryAfter"/>. A retry waits it (capped by
/// its <c>MaxDelayMs</c>) instead of its computed backoff; a <c>DelayGenerator</c> may call these too.
/// </summary>
public static class RequestedDelay
{
    /// <summary>
    /// The response's <c>Retry-After</c>: its delta-seconds, or its HTTP date less the time now on
    /// <paramref name="clock"/> (zero when the date has passed); null when it has none.
    /// </summary>
    /// <param name="response">The response; null has no <c>Retry-After</c>.</param>
    /// <param name="clock">The clock a date is compared with: the registry's, <see cref="ResilienceRegistry.TimeProvider"/>.</param>
    public static TimeSpan? Of(HttpResponseMessage? response, TimeProvider clock)
    {
        if (response?.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter.Date is { } date)
        {
            TimeSpan left = date - (clock ?? throw new ArgumentNullException(nameof(clock))).GetUtcNow();
            return left < TimeSpan.Zero ? TimeSpan.Zero : left;
        }

        return null;
    }

    /// <summary>The <see cref="ResilienceRejectedException.RetryAfter"/> of a rejection (a nested call's open circuit or exhausted rate limit); null for any other exception.</summary>
    public static TimeSpan? Of(Exception exception) => (exception as ResilienceRejectedException)?.RetryAfter;
}
