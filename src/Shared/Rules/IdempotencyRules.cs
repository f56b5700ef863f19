#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>The settings of <c>[Idempotent]</c> with an <c>[IdempotencyKey]</c>: names, defaults and ranges.</summary>
internal static class IdempotencyRules
{
    /// <summary>How long a key's first successful result is kept: 24 hours.</summary>
    public const int DefaultTtlMs = 24 * 60 * 60 * 1000;

    /// <summary>How long a key's result is kept and answers repeats, from the moment it is stored.</summary>
    public static readonly IntSettingRule TtlMs = new(nameof(TtlMs), DefaultTtlMs, minimum: 1);

    /// <summary>Every setting a policy's idempotency state is created with, in the order of <c>IdempotencyOptions</c>.</summary>
    public static readonly SettingRule[] Shared = { TtlMs };
}
