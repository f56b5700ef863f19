namespace Resilience.AspNetCore;

/// <summary>The names of the response headers this package writes.</summary>
public static class ResilienceHeaderNames
{
    /// <summary>
    /// <c>X-Resilience-Status</c>: how the endpoint's resilient calls went, one of the values of
    /// <see cref="ResilienceStatus"/>. Written by <see cref="ResilienceHeadersFilter"/>.
    /// </summary>
    public const string Status = "X-Resilience-Status";

    /// <summary>
    /// <c>X-Circuit-Breaker</c>: the names of the circuit breakers that rejected a call of the request, comma-separated,
    /// when <see cref="ResilienceHeadersOptions.ExposeCircuitBreakerName"/> allows them. Written by <see cref="ResilienceHeadersFilter"/>.
    /// </summary>
    public const string CircuitBreaker = "X-Circuit-Breaker";

    /// <summary><c>Server-Timing</c>: the endpoint's duration as <c>resilience;dur=12.3</c> (milliseconds). Written by <see cref="ResilienceHeadersFilter"/>.</summary>
    public const string ServerTiming = "Server-Timing";

    /// <summary>
    /// <c>RateLimit-Limit</c> (IETF draft "RateLimit header fields for HTTP"): the calls the rate limit allows per
    /// window. Written by <see cref="ResilienceExceptionHandler"/> on a 429.
    /// </summary>
    public const string RateLimitLimit = "RateLimit-Limit";

    /// <summary><c>RateLimit-Remaining</c>: the calls left in the window; 0 on a rejection. Written by <see cref="ResilienceExceptionHandler"/> on a 429.</summary>
    public const string RateLimitRemaining = "RateLimit-Remaining";

    /// <summary><c>RateLimit-Reset</c>: the seconds until a permit is free again. Written by <see cref="ResilienceExceptionHandler"/> on a 429.</summary>
    public const string RateLimitReset = "RateLimit-Reset";
}
