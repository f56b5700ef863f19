#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>The settings of <c>[Bulkhead]</c>: names, defaults and ranges.</summary>
internal static class BulkheadRules
{
    /// <summary>The default of <c>BulkheadOptions</c>; the attribute's constructor requires a value.</summary>
    public const int DefaultMaxConcurrency = 1;
    public const int DefaultMaxQueue = 0;
    public const int DefaultMaxWaitMs = 0;

    public static readonly IntSettingRule MaxConcurrency = new(nameof(MaxConcurrency), DefaultMaxConcurrency, minimum: 1, requiredByAttribute: true);

    public static readonly IntSettingRule MaxQueue = new(nameof(MaxQueue), DefaultMaxQueue, minimum: 0);

    /// <summary>The longest wait of a queued call; 0 waits for its turn however long it takes.</summary>
    public static readonly IntSettingRule MaxWaitMs = new(nameof(MaxWaitMs), DefaultMaxWaitMs, minimum: 0);

    /// <summary>Every setting a shared bulkhead is created with, in the order of <c>BulkheadOptions</c>.</summary>
    public static readonly SettingRule[] Shared = { MaxConcurrency, MaxQueue, MaxWaitMs };
}
