using System;

namespace Resilience;

/// <summary>Thrown when a rate limit rejects a call: no permit is free and no place in its queue.</summary>
public sealed class RateLimitRejectedException : ResilienceRejectedException
{
    /// <summary>Creates the rejection of a call by an exhausted rate limit.</summary>
    /// <param name="policyName">The rate limit's name.</param>
    /// <param name="retryAfter">When the next permit is expected to be free, if known.</param>
    public RateLimitRejectedException(string policyName, TimeSpan? retryAfter)
        : this(policyName, retryAfter, permitLimit: null)
    {
    }

    /// <summary>Creates the rejection of a call by an exhausted rate limit that allows <paramref name="permitLimit"/> calls per window.</summary>
    /// <param name="policyName">The rate limit's name.</param>
    /// <param name="retryAfter">When the next permit is expected to be free, if known.</param>
    /// <param name="permitLimit">The calls the limit allows per window (its <see cref="RateLimitOptions.Permits"/>), if known; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permitLimit"/> is less than 1.</exception>
    public RateLimitRejectedException(string policyName, TimeSpan? retryAfter, int? permitLimit)
        : base(retryAfter is { } after
                ? $"The rate limit '{policyName}' rejected the call: no permit is free; retry after {FormatDuration(after)}."
                : $"The rate limit '{policyName}' rejected the call: no permit is free.",
            policyName, retryAfter)
    {
        if (permitLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(permitLimit), permitLimit, "The permit limit of a rate limit is at least 1; pass null when it is not known.");
        }

        PermitLimit = permitLimit;
    }

    /// <summary>Creates the rejection of a call by an exhausted rate limit that stands as <paramref name="info"/> says.</summary>
    /// <param name="policyName">The rate limit's name.</param>
    /// <param name="info">Where the limit stands: its limit, the calls remaining, when it resets and the retry-after.</param>
    public RateLimitRejectedException(string policyName, RateLimitInfo info)
        : this(policyName, info.RetryAfter, info.Limit)
    {
        Info = info;
    }

    /// <summary>
    /// Where the limit stood when the call was rejected (<see cref="RateLimitInfo.Limit"/>, <see cref="RateLimitInfo.Remaining"/>,
    /// <see cref="RateLimitInfo.ResetAt"/>, <see cref="RateLimitInfo.RetryAfter"/>); null when the rejection was created
    /// without it.
    /// </summary>
    public RateLimitInfo? Info { get; }

    /// <summary>
    /// The calls the limit allows per window (for a limit kept per <see cref="RateLimitKeyAttribute"/>, per key), as
    /// in force when the call was rejected; null when the rejection was created without it.
    /// </summary>
    public int? PermitLimit { get; }
}
