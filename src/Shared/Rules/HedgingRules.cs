#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>The settings of <c>[Hedging]</c>: names, defaults and ranges.</summary>
internal static class HedgingRules
{
    /// <summary>The configuration section under a policy name that holds the hedging settings of its methods.</summary>
    public const string SectionName = "Hedging";

    public const int DefaultMaxAttempts = 2;
    public const int DefaultDelayMs = 2_000;

    /// <summary>The <c>DelayMs</c> of fallback mode, <see cref="System.Threading.Timeout.Infinite"/>: a new attempt only when one fails.</summary>
    public const int FallbackModeDelayMs = -1;

    /// <summary>Total attempts, the first one included: hedging needs a second one, and more than ten multiplies the load for nothing.</summary>
    public static readonly IntSettingRule MaxAttempts = new(nameof(MaxAttempts), DefaultMaxAttempts, minimum: 2, maximum: 10);

    /// <summary>The wait before the next attempt while none has answered; 0 starts them all at once, -1 only after a failure.</summary>
    public static readonly IntSettingRule DelayMs = new(nameof(DelayMs), DefaultDelayMs, minimum: FallbackModeDelayMs);

    /// <summary>What a <c>DelayMs</c> below -1 must be instead, for RES0004.</summary>
    public const string DelayRequirement = "at least 0, or -1 (Timeout.Infinite) for a new attempt only when one fails";

    /// <summary>The settings configuration can change while the application runs, in the <see cref="SectionName"/> section.</summary>
    public static readonly IntSettingRule[] Live = { MaxAttempts, DelayMs };
}
