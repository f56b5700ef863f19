namespace Resilience;

/// <summary>The default of every policy setting, shared by the attributes and the options types.</summary>
internal static class PolicyDefaults
{
    public const int RetryMaxAttempts = 3;
    public const int RetryDelayMs = 200;
    public const int RetryMaxDelayMs = 30_000;
    public const BackoffKind RetryBackoff = BackoffKind.Exponential;
    public const bool RetryJitter = true;

    public const int BreakerFailureThreshold = 5;
    public const double BreakerFailureRatio = 0;
    public const int BreakerMinimumThroughput = 10;
    public const int BreakerSamplingDurationMs = 30_000;
    public const int BreakerBreakDurationMs = 30_000;
    public const int BreakerSuccessThreshold = 1;
    public const int BreakerHalfOpenMaxCalls = 1;

    public const TimeoutScope TimeoutScope = Resilience.TimeoutScope.PerAttempt;

    public const int BulkheadMaxQueue = 0;
    public const int BulkheadMaxWaitMs = 0;

    public const RateLimitAlgorithm RateLimitAlgorithm = Resilience.RateLimitAlgorithm.TokenBucket;
    public const int RateLimitQueueLimit = 0;
}
