using System;

namespace Resilience;

/// <summary>
/// Where a rate limit stands: how many calls it allows per window, how many are left now, when it is whole again
/// and how long until the next call would be admitted. The numbers behind <c>RateLimit-*</c> and <c>Retry-After</c>
/// headers.
/// </summary>
public readonly struct RateLimitInfo : IEquatable<RateLimitInfo>
{
    /// <summary>Creates the description of a rate limit's standing.</summary>
    /// <param name="limit">Calls allowed per window; at least 1.</param>
    /// <param name="remaining">Calls that would be admitted now, one after another; between 0 and <paramref name="limit"/>.</param>
    /// <param name="resetAt">When every permit is free again.</param>
    /// <param name="retryAfter">How long until the next call would be admitted; zero when one would be now.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside the range given above.</exception>
    public RateLimitInfo(int limit, int remaining, DateTimeOffset resetAt, TimeSpan retryAfter)
    {
        if (limit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A rate limit allows at least 1 call per window.");
        }

        if (remaining < 0 || remaining > limit)
        {
            throw new ArgumentOutOfRangeException(nameof(remaining), remaining, $"The calls remaining must be between 0 and the limit, {limit}.");
        }

        if (retryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retryAfter), retryAfter, "The time until the next permit cannot be negative; pass TimeSpan.Zero when one is free now.");
        }

        Limit = limit;
        Remaining = remaining;
        ResetAt = resetAt;
        RetryAfter = retryAfter;
    }

    /// <summary>Calls allowed per window (for a limit kept per key, per key).</summary>
    public int Limit { get; }

    /// <summary>Calls that would be admitted now, one after another.</summary>
    public int Remaining { get; }

    /// <summary>When every permit is free again: the end of a fixed window, the time the last permit taken leaves a sliding window, the time a token bucket is full.</summary>
    public DateTimeOffset ResetAt { get; }

    /// <summary>How long until the next call would be admitted; <see cref="TimeSpan.Zero"/> when one would be now.</summary>
    public TimeSpan RetryAfter { get; }

    /// <inheritdoc/>
    public bool Equals(RateLimitInfo other)
        => Limit == other.Limit && Remaining == other.Remaining && ResetAt == other.ResetAt && RetryAfter == other.RetryAfter;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RateLimitInfo other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        unchecked
        {
            int hash = Limit;
            hash = (hash * 397) ^ Remaining;
            hash = (hash * 397) ^ ResetAt.GetHashCode();
            return (hash * 397) ^ RetryAfter.GetHashCode();
        }
    }

    /// <summary>Compares two descriptions value by value.</summary>
    public static bool operator ==(RateLimitInfo left, RateLimitInfo right) => left.Equals(right);

    /// <summary>Compares two descriptions value by value.</summary>
    public static bool operator !=(RateLimitInfo left, RateLimitInfo right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString()
        => FormattableString.Invariant($"{Remaining} of {Limit} remaining, reset at {ResetAt:O}, retry after {RetryAfter.TotalMilliseconds:0.###} ms");
}
