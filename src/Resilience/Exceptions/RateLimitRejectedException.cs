using System;

namespace Resilience;

/// <summary>Thrown when a rate limit rejects a call: no permit is free and no place in its queue.</summary>
public sealed class RateLimitRejectedException : ResilienceRejectedException
{
    /// <summary>Creates the rejection of a call by an exhausted rate limit.</summary>
    /// <param name="policyName">The rate limit's name.</param>
    /// <param name="retryAfter">When the next permit is expected to be free, if known.</param>
    public RateLimitRejectedException(string policyName, TimeSpan? retryAfter)
        : base(retryAfter is { } after
                ? $"The rate limit '{policyName}' rejected the call: no permit is free; retry after {FormatDuration(after)}."
                : $"The rate limit '{policyName}' rejected the call: no permit is free.",
            policyName, retryAfter)
    {
    }
}
