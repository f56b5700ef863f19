using System;
using System.ComponentModel;

namespace Resilience;

/// <summary>
/// What configuration changes, while the application runs, in the code generated for the methods of one policy
/// name: their retry, timeout and hedging settings (compiled in as constants, which these replace) and the chaos
/// injected into their attempts. Immutable: a reload makes a new one. Read through <see cref="LivePolicySettings.Overrides"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PolicyOverrides
{
    private PolicyOverrides(PolicySettings settings, ChaosInjector? chaos)
    {
        MaxAttempts = settings.MaxAttempts;
        DelayMs = settings.DelayMs;
        MaxDelayMs = settings.MaxDelayMs;
        Backoff = settings.Backoff;
        Jitter = settings.Jitter;
        Timeout = settings.TimeoutMs is { } timeoutMs ? TimeSpan.FromTicks(timeoutMs * TimeSpan.TicksPerMillisecond) : null;
        Chaos = chaos;
        HedgingMaxAttempts = settings.Hedging?.MaxAttempts;
        HedgingDelay = settings.Hedging?.DelayMs switch
        {
            null => null,
            HedgingRules.FallbackModeDelayMs => System.Threading.Timeout.InfiniteTimeSpan,
            int delayMs => TimeSpan.FromTicks(delayMs * TimeSpan.TicksPerMillisecond),
        };
    }

    /// <summary>Replaces <see cref="RetryAttribute.MaxAttempts"/>; null keeps the attribute's.</summary>
    public int? MaxAttempts { get; }

    /// <summary>Replaces <see cref="RetryAttribute.DelayMs"/>; null keeps the attribute's.</summary>
    public int? DelayMs { get; }

    /// <summary>Replaces <see cref="RetryAttribute.MaxDelayMs"/>; null keeps the attribute's.</summary>
    public int? MaxDelayMs { get; }

    /// <summary>Replaces <see cref="RetryAttribute.Backoff"/>; null keeps the attribute's.</summary>
    public BackoffKind? Backoff { get; }

    /// <summary>Replaces <see cref="RetryAttribute.Jitter"/>; null keeps the attribute's.</summary>
    public bool? Jitter { get; }

    /// <summary>Replaces <see cref="TimeoutAttribute.Milliseconds"/>, whatever its scope; null keeps the attribute's.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>Replaces <see cref="HedgingAttribute.MaxAttempts"/>; null keeps the attribute's.</summary>
    public int? HedgingMaxAttempts { get; }

    /// <summary>Replaces <see cref="HedgingAttribute.DelayMs"/> (<see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for -1); null keeps the attribute's.</summary>
    public TimeSpan? HedgingDelay { get; }

    /// <summary>The chaos injected into each attempt; null when none is configured, it is disabled, or chaos is not allowed.</summary>
    public ChaosInjector? Chaos { get; }

    /// <summary>
    /// The overrides <paramref name="settings"/> give the methods of <paramref name="policyName"/>; null when they give
    /// none, so that generated code reads one null field and runs its compiled-in settings.
    /// </summary>
    internal static PolicyOverrides? From(ResilienceRegistry registry, string policyName, PolicySettings? settings, bool allowChaos)
    {
        if (settings is null)
        {
            return null;
        }

        ChaosInjector? chaos = allowChaos && settings.Chaos is { InjectsAnything: true } chaosSettings
            ? new ChaosInjector(registry, policyName, chaosSettings.Clone())
            : null;
        return chaos is null && !settings.HasRetrySettings && settings.TimeoutMs is null && settings.Hedging is not { HasSettings: true }
            ? null
            : new PolicyOverrides(settings, chaos);
    }
}
