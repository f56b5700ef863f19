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

    /// <summary>Every setting a shared breaker is created with, in the order of <c>CircuitBreakerOptions</c>.</summary>
    public static readonly SettingRule[] Shared =
    {
        FailureThreshold, FailureRatio, MinimumThroughput, SamplingDurationMs, BreakDurationMs, SuccessThreshold, HalfOpenMaxCalls, HonorRetryAfter, Distributed,
    };
}
