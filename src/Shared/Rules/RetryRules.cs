#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>The settings of <c>[Retry]</c>: names, defaults and ranges.</summary>
internal static class RetryRules
{
    public const int DefaultMaxAttempts = 3;
    public const int DefaultDelayMs = 200;
    public const int DefaultMaxDelayMs = 30_000;
    public const BackoffKind DefaultBackoff = BackoffKind.Exponential;
    public const bool DefaultJitter = true;
    public const double DefaultMaxRetryRatio = 0;

    /// <summary>The window a retry budget counts calls and retries over, in seconds (Finagle's budget keeps its deposits as long).</summary>
    public const int BudgetWindowSeconds = 10;

    /// <summary>Retries a budget allows each second whatever the traffic (Finagle's default floor), so that a quiet service can still retry.</summary>
    public const int BudgetMinRetriesPerSecond = 10;

    /// <summary>Total attempts, the first one included.</summary>
    public static readonly IntSettingRule MaxAttempts = new(nameof(MaxAttempts), DefaultMaxAttempts, minimum: 1);

    public static readonly IntSettingRule DelayMs = new(nameof(DelayMs), DefaultDelayMs, minimum: 0);

    public static readonly IntSettingRule MaxDelayMs = new(nameof(MaxDelayMs), DefaultMaxDelayMs, minimum: 0);

    public static readonly EnumSettingRule<BackoffKind> Backoff = new(nameof(Backoff), DefaultBackoff);

    public static readonly BoolSettingRule Jitter = new(nameof(Jitter), DefaultJitter);

    /// <summary>Every setting configuration can override while the application runs, in the order of <c>PolicySettings</c>.</summary>
    public static readonly SettingRule[] Live = { MaxAttempts, DelayMs, MaxDelayMs, Backoff, Jitter };

    /// <summary>The share of the calls that retries sharing a name may add; 0 turns the retry budget off.</summary>
    public static readonly RatioSettingRule MaxRetryRatio = new(nameof(MaxRetryRatio), DefaultMaxRetryRatio);

    /// <summary>Every setting a shared retry budget is created with, in the order of <c>RetryBudgetOptions</c>.</summary>
    public static readonly SettingRule[] Budget = { MaxRetryRatio };

    /// <summary>The base delay may not exceed the cap: every delay would be the cap.</summary>
    public static bool DelayWithinMaximum(int delayMs, int maxDelayMs) => delayMs <= maxDelayMs;
}
