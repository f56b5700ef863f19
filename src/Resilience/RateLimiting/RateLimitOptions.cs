namespace Resilience;

/// <summary>
/// The settings of a rate limit. Generated code fills them from <see cref="RateLimitAttribute"/>; they are
/// copied when the limit is created. <see cref="ResilienceRegistry.Configure"/> replaces them by name.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Calls allowed per window; at least 1. Default 1.</summary>
    public int Permits { get; set; } = 1;

    /// <summary>The window in milliseconds; at least 1. Default 1 000.</summary>
    public int WindowMs { get; set; } = 1_000;

    /// <summary>How permits are counted. Default <see cref="RateLimitAlgorithm.TokenBucket"/>.</summary>
    public RateLimitAlgorithm Algorithm { get; set; } = PolicyDefaults.RateLimitAlgorithm;

    /// <summary>Calls allowed to wait for a permit; at least 0. Default 0.</summary>
    public int QueueLimit { get; set; } = PolicyDefaults.RateLimitQueueLimit;

    /// <summary>Checks every setting and returns an independent copy.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">A setting is outside its range; the message names it and the range.</exception>
    internal RateLimitOptions ValidatedCopy()
    {
        Guard.AtLeast(Permits, 1, "RateLimitOptions.Permits");
        Guard.AtLeast(WindowMs, 1, "RateLimitOptions.WindowMs");
        Guard.Defined(Algorithm, "RateLimitOptions.Algorithm");
        Guard.AtLeast(QueueLimit, 0, "RateLimitOptions.QueueLimit");
        return Copy();
    }

    /// <summary>An independent copy, for a state to hand out without exposing its own.</summary>
    internal RateLimitOptions Copy() => (RateLimitOptions)MemberwiseClone();

    /// <summary>True when every setting equals <paramref name="other"/>'s.</summary>
    internal bool SameAs(RateLimitOptions other)
        => Permits == other.Permits && WindowMs == other.WindowMs && Algorithm == other.Algorithm && QueueLimit == other.QueueLimit;
}
