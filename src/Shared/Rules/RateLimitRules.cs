#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>The settings of <c>[RateLimit]</c>: names, defaults and ranges.</summary>
internal static class RateLimitRules
{
    /// <summary>The default of <c>RateLimitOptions</c>; the attribute's constructor requires a value.</summary>
    public const int DefaultPermits = 1;

    /// <summary>The default of <c>RateLimitOptions</c>; the attribute's constructor requires a value.</summary>
    public const int DefaultWindowMs = 1_000;
    public const RateLimitAlgorithm DefaultAlgorithm = RateLimitAlgorithm.TokenBucket;
    public const int DefaultQueueLimit = 0;
    public const bool DefaultDistributed = false;
    public const int DefaultDistributedBatch = 0;

    public static readonly IntSettingRule Permits = new(nameof(Permits), DefaultPermits, minimum: 1, requiredByAttribute: true);

    public static readonly IntSettingRule WindowMs = new(nameof(WindowMs), DefaultWindowMs, minimum: 1, requiredByAttribute: true);

    public static readonly EnumSettingRule<RateLimitAlgorithm> Algorithm = new(nameof(Algorithm), DefaultAlgorithm);

    public static readonly IntSettingRule QueueLimit = new(nameof(QueueLimit), DefaultQueueLimit, minimum: 0);

    /// <summary>Whether every instance of the service shares the limit through the registered distributed store.</summary>
    public static readonly BoolSettingRule Distributed = new(nameof(Distributed), DefaultDistributed);

    /// <summary>
    /// For a distributed limit: how many permits an instance takes from the store at a time and hands out itself; 0 (or
    /// 1) takes each permit from the store.
    /// </summary>
    public static readonly IntSettingRule DistributedBatch = new(nameof(DistributedBatch), DefaultDistributedBatch, minimum: 0);

    /// <summary>True when a batch of <paramref name="batch"/> permits fits in a window of <paramref name="permits"/>.</summary>
    public static bool BatchWithinPermits(int batch, int permits) => batch <= permits;

    /// <summary>Every setting a shared rate limit is created with, in the order of <c>RateLimitOptions</c>.</summary>
    public static readonly SettingRule[] Shared = { Permits, WindowMs, Algorithm, QueueLimit, Distributed, DistributedBatch };
}
