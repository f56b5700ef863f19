namespace Resilience;

/// <summary>
/// The settings of a rate limit. Generated code fills them from <see cref="RateLimitAttribute"/>; they are
/// copied when the limit is created. <see cref="ResilienceRegistry.Configure"/> replaces them by name.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Calls allowed per window; at least 1. Default 1.</summary>
    public int Permits { get; set; } = RateLimitRules.DefaultPermits;

    /// <summary>The window in milliseconds; at least 1. Default 1 000.</summary>
    public int WindowMs { get; set; } = RateLimitRules.DefaultWindowMs;

    /// <summary>How permits are counted. Default <see cref="RateLimitAlgorithm.TokenBucket"/>.</summary>
    public RateLimitAlgorithm Algorithm { get; set; } = RateLimitRules.DefaultAlgorithm;

    /// <summary>Calls allowed to wait for a permit; at least 0. Default 0.</summary>
    public int QueueLimit { get; set; } = RateLimitRules.DefaultQueueLimit;

    /// <summary>
    /// True: every instance of the service shares the limit through <see cref="ResilienceRegistry.DistributedStore"/>
    /// (Redis, with the <c>Resilience.Generators.Redis</c> package); without one, the limit counts on this instance.
    /// Default false.
    /// </summary>
    public bool Distributed { get; set; } = RateLimitRules.DefaultDistributed;

    /// <summary>Checks every setting and returns an independent copy.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">A setting is outside its range; the message names it and the range.</exception>
    internal RateLimitOptions ValidatedCopy()
    {
        Guard.Setting(RateLimitRules.Permits, Permits, nameof(RateLimitOptions));
        Guard.Setting(RateLimitRules.WindowMs, WindowMs, nameof(RateLimitOptions));
        Guard.Setting(RateLimitRules.Algorithm, Algorithm, nameof(RateLimitOptions));
        Guard.Setting(RateLimitRules.QueueLimit, QueueLimit, nameof(RateLimitOptions));
        return Copy();
    }

    /// <summary>An independent copy, for a state to hand out without exposing its own.</summary>
    internal RateLimitOptions Copy() => (RateLimitOptions)MemberwiseClone();

    /// <summary>True when every setting equals <paramref name="other"/>'s.</summary>
    internal bool SameAs(RateLimitOptions other)
        => Permits == other.Permits && WindowMs == other.WindowMs && Algorithm == other.Algorithm && QueueLimit == other.QueueLimit
            && Distributed == other.Distributed;
}
