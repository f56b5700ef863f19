namespace Resilience;

/// <summary>
/// The settings of a cached fallback. Generated code fills them from <see cref="CachedFallbackAttribute"/>; they are
/// copied when the cache is created. <see cref="ResilienceRegistry.Configure"/> replaces them under the method's policy name.
/// </summary>
public sealed class CachedFallbackOptions
{
    /// <summary>How long a good result may answer a failure, in milliseconds; at least 1. Default 300 000 (5 minutes).</summary>
    public int DurationMs { get; set; } = CachedFallbackRules.DefaultDurationMs;

    /// <summary>The most sets of arguments whose last good result is kept on this instance; at least 1. Default 1 000.</summary>
    public int MaxEntries { get; set; } = CachedFallbackRules.DefaultMaxEntries;

    /// <summary>Checks every setting and returns an independent copy.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">A setting is outside its range; the message names it and the range.</exception>
    internal CachedFallbackOptions ValidatedCopy()
    {
        Guard.Setting(CachedFallbackRules.DurationMs, DurationMs, nameof(CachedFallbackOptions));
        Guard.Setting(CachedFallbackRules.MaxEntries, MaxEntries, nameof(CachedFallbackOptions));
        return Copy();
    }

    /// <summary>An independent copy, for a state to hand out without exposing its own.</summary>
    internal CachedFallbackOptions Copy() => (CachedFallbackOptions)MemberwiseClone();
}
