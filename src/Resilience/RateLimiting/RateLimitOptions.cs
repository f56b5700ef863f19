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

    /// <summary>
    /// For a <see cref="Distributed"/> limit: how many permits this instance takes from the store in one round trip and
    /// hands out itself, for limits of thousands of calls per second. 0 or 1 (the default 0): every permit is one round
    /// trip, and the shared count is exact. Larger: one round trip per batch, and across all instances at most
    /// <see cref="Permits"/> plus a batch and a quarter per instance (a batch and the permits carried into it from the
    /// one before) in any window; a fixed window stays exact (see docs/distributed.md). At most <see cref="Permits"/>.
    /// </summary>
    public int DistributedBatch { get; set; } = RateLimitRules.DefaultDistributedBatch;

    /// <summary>Checks every setting and returns an independent copy.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">A setting is outside its range; the message names it and the range.</exception>
    internal RateLimitOptions ValidatedCopy()
    {
        Guard.Setting(RateLimitRules.Permits, Permits, nameof(RateLimitOptions));
        Guard.Setting(RateLimitRules.WindowMs, WindowMs, nameof(RateLimitOptions));
        Guard.Setting(RateLimitRules.Algorithm, Algorithm, nameof(RateLimitOptions));
        Guard.Setting(RateLimitRules.QueueLimit, QueueLimit, nameof(RateLimitOptions));
        Guard.Setting(RateLimitRules.DistributedBatch, DistributedBatch, nameof(RateLimitOptions));
        if (!RateLimitRules.BatchWithinPermits(DistributedBatch, Permits))
        {
            throw new System.ArgumentOutOfRangeException(
                nameof(DistributedBatch),
                DistributedBatch,
                $"{nameof(RateLimitOptions)}.{nameof(DistributedBatch)} is {DistributedBatch}, more than {nameof(Permits)} ({Permits}): a batch cannot hold more permits than a window allows. Set it to at most {Permits}, or to 0 to take each permit from the store.");
        }

        return Copy();
    }

    /// <summary>An independent copy, for a state to hand out without exposing its own.</summary>
    internal RateLimitOptions Copy() => (RateLimitOptions)MemberwiseClone();

    /// <summary>True when every setting equals <paramref name="other"/>'s.</summary>
    internal bool SameAs(RateLimitOptions other)
        => Permits == other.Permits && WindowMs == other.WindowMs && Algorithm == other.Algorithm && QueueLimit == other.QueueLimit
            && Distributed == other.Distributed && DistributedBatch == other.DistributedBatch;
}
