namespace Resilience.AspNetCore;

/// <summary>The values of the <see cref="ResilienceHeaderNames.Status"/> header.</summary>
public static class ResilienceStatus
{
    /// <summary>The endpoint completed, and no fallback answered any of its resilient calls.</summary>
    public const string Success = "success";

    /// <summary>The endpoint completed, and at least one of its resilient calls was answered by its <see cref="FallbackAttribute"/> method.</summary>
    public const string Fallback = "fallback";

    /// <summary>
    /// The endpoint ended with a rejection (<see cref="ResilienceRejectedException"/>: an open circuit, a full bulkhead,
    /// an exhausted rate limit) or a <see cref="TimeoutRejectedException"/>: the response is the 429, 503 or 504 of
    /// <see cref="ResilienceExceptionHandler"/>.
    /// </summary>
    public const string Rejected = "rejected";

    /// <summary>The endpoint ended with an exception of another kind.</summary>
    public const string Failure = "failure";
}
