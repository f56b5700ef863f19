namespace Resilience;

/// <summary>How the delay between retry attempts grows. See <see cref="RetryBackoff"/> for the formulas.</summary>
public enum BackoffKind
{
    /// <summary>Every retry waits <c>DelayMs</c>.</summary>
    Constant = 0,

    /// <summary>Retry <c>n</c> (1-based) waits <c>n × DelayMs</c>.</summary>
    Linear = 1,

    /// <summary>Retry <c>n</c> (1-based) waits <c>DelayMs × 2^(n-1)</c>. The default.</summary>
    Exponential = 2,
}
