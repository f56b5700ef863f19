#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>The settings of <c>[CircuitBreaker]</c>: names, defaults and ranges.</summary>
internal static class CircuitBreakerRules
{
    public const int DefaultFailureThreshold = 5;
    public const double DefaultFailureRatio = 0;
    public const int DefaultMinimumThroughput = 10;
    public const int DefaultSamplingDurationMs = 30_000;
    public const int DefaultBreakDurationMs = 30_000;
    public const int DefaultSuccessThreshold = 1;
    public const int DefaultHalfOpenMaxCalls = 1;
    public const bool DefaultHonorRetryAfter = false;
    public const bool DefaultDistributed = false;
    public const int DefaultSlowCallDurationMs = 0;
    public const double DefaultSlowCallRatio = 1;
    public const int DefaultMaxBreakDurationMs = 0;

    /// <summary>What a break is multiplied by each time a failed probe opens the breaker again, up to <see cref="MaxBreakDurationMs"/>.</summary>
    public const int BreakGrowthFactor = 2;

    /// <summary>Consecutive failures that open the breaker, in consecutive mode.</summary>
    public static readonly IntSettingRule FailureThreshold = new(nameof(FailureThreshold), DefaultFailureThreshold, minimum: 1);

    /// <summary>The share of failures that opens the breaker; 0 turns ratio mode off.</summary>
    public static readonly RatioSettingRule FailureRatio = new(nameof(FailureRatio), DefaultFailureRatio);

    public static readonly IntSettingRule MinimumThroughput = new(nameof(MinimumThroughput), DefaultMinimumThroughput, minimum: 1);

    public static readonly IntSettingRule SamplingDurationMs = new(nameof(SamplingDurationMs), DefaultSamplingDurationMs, minimum: 1);

    public static readonly IntSettingRule BreakDurationMs = new(nameof(BreakDurationMs), DefaultBreakDurationMs, minimum: 1);

    public static readonly IntSettingRule SuccessThreshold = new(nameof(SuccessThreshold), DefaultSuccessThreshold, minimum: 1);

    public static readonly IntSettingRule HalfOpenMaxCalls = new(nameof(HalfOpenMaxCalls), DefaultHalfOpenMaxCalls, minimum: 1);

    /// <summary>Whether a failure's Retry-After longer than the break holds the breaker open until then.</summary>
    public static readonly BoolSettingRule HonorRetryAfter = new(nameof(HonorRetryAfter), DefaultHonorRetryAfter);

    /// <summary>Whether every instance of the service shares the breaker's state through the registered distributed store.</summary>
    public static readonly BoolSettingRule Distributed = new(nameof(Distributed), DefaultDistributed);

    /// <summary>A call that takes longer than this many milliseconds is slow; 0 turns the slow-call rule off.</summary>
    public static readonly IntSettingRule SlowCallDurationMs = new(nameof(SlowCallDurationMs), DefaultSlowCallDurationMs, minimum: 0);

    /// <summary>The share of slow calls over the sampling window that opens the breaker, when <see cref="SlowCallDurationMs"/> is above 0.</summary>
    public static readonly RatioSettingRule SlowCallRatio = new(nameof(SlowCallRatio), DefaultSlowCallRatio, zeroTurnsOff: false);

    /// <summary>The longest a break grows to on consecutive re-openings; 0 keeps every break at <see cref="BreakDurationMs"/>.</summary>
    public static readonly IntSettingRule MaxBreakDurationMs = new(nameof(MaxBreakDurationMs), DefaultMaxBreakDurationMs, minimum: 0);

    /// <summary>Every setting a shared breaker is created with, in the order of <c>CircuitBreakerOptions</c>.</summary>
    public static readonly SettingRule[] Shared =
    {
        FailureThreshold, FailureRatio, MinimumThroughput, SamplingDurationMs, BreakDurationMs, SuccessThreshold, HalfOpenMaxCalls, HonorRetryAfter, Distributed,
        SlowCallDurationMs, SlowCallRatio, MaxBreakDurationMs,
    };

    /// <summary>A growing break's cap may not be below the break it grows from: 0 (no growth), or at least <paramref name="breakDurationMs"/>.</summary>
    public static bool MaxBreakWithinRange(int breakDurationMs, int maxBreakDurationMs) => maxBreakDurationMs == 0 || maxBreakDurationMs >= breakDurationMs;

    /// <summary>What a cap must be beside a break of <paramref name="breakDurationMs"/>, as it completes "it must be ...", with the fix.</summary>
    /// <param name="breakSubject">How the break is named where it was given: <c>CircuitBreakerAttribute.BreakDurationMs</c>, <c>payments:BreakDurationMs</c>.</param>
    /// <param name="breakDurationMs">The break.</param>
    public static string MaxBreakRequirement(string breakSubject, int breakDurationMs)
        => $"0 (a break that does not grow) or at least {breakSubject} ({SettingText.Number(breakDurationMs)}); raise it, or lower {BreakDurationMs.Name}";
}
