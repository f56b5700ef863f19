#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>The settings of <c>[CachedFallback]</c>: names, defaults and ranges.</summary>
internal static class CachedFallbackRules
{
    /// <summary>The default of <c>CachedFallbackOptions</c>; the attribute's constructor requires a value.</summary>
    public const int DefaultDurationMs = 300_000;

    /// <summary>The most results kept per method unless configured: enough for a hot set of arguments, bounded whatever the callers send.</summary>
    public const int DefaultMaxEntries = 1_000;

    /// <summary>How long a good result may answer a failure, in milliseconds.</summary>
    public static readonly IntSettingRule DurationMs = new(nameof(DurationMs), DefaultDurationMs, minimum: 1, requiredByAttribute: true);

    /// <summary>The most sets of arguments whose last good result is kept.</summary>
    public static readonly IntSettingRule MaxEntries = new(nameof(MaxEntries), DefaultMaxEntries, minimum: 1);

    /// <summary>Every setting a cache is created with, in the order of <c>CachedFallbackOptions</c>.</summary>
    public static readonly SettingRule[] Shared = { DurationMs, MaxEntries };
}
