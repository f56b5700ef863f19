namespace Resilience;

/// <summary>
/// The settings of a circuit breaker. Generated code fills them from <see cref="CircuitBreakerAttribute"/>;
/// they are copied when the breaker is created, so changing this object later has no effect.
/// <see cref="ResilienceRegistry.Configure"/> replaces them by name.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Consecutive failures that open the breaker (when <see cref="FailureRatio"/> is 0); at least 1. Default 5.</summary>
    public int FailureThreshold { get; set; } = CircuitBreakerRules.DefaultFailureThreshold;

    /// <summary>The share of failures in (0, 1] that opens the breaker in ratio mode; 0 turns ratio mode off. Default 0.</summary>
    public double FailureRatio { get; set; } = CircuitBreakerRules.DefaultFailureRatio;

    /// <summary>Ratio mode: calls that must be seen in the window before the ratio is judged; at least 1. Default 10.</summary>
    public int MinimumThroughput { get; set; } = CircuitBreakerRules.DefaultMinimumThroughput;

    /// <summary>Ratio mode: the sliding window in milliseconds; at least 1. Default 30 000.</summary>
    public int SamplingDurationMs { get; set; } = CircuitBreakerRules.DefaultSamplingDurationMs;

    /// <summary>How long the breaker stays open, in milliseconds; at least 1. Default 30 000.</summary>
    public int BreakDurationMs { get; set; } = CircuitBreakerRules.DefaultBreakDurationMs;

    /// <summary>Successful probes that close a half-open breaker; at least 1. Default 1.</summary>
    public int SuccessThreshold { get; set; } = CircuitBreakerRules.DefaultSuccessThreshold;

    /// <summary>Probes let through at once while half-open; at least 1. Default 1.</summary>
    public int HalfOpenMaxCalls { get; set; } = CircuitBreakerRules.DefaultHalfOpenMaxCalls;

    /// <summary>
    /// True: when the failure that opens the breaker is an HTTP response of 429 (Too Many Requests) or 503 (Service
    /// Unavailable) whose <c>Retry-After</c> asks for longer than <see cref="BreakDurationMs"/>, the breaker stays open
    /// until then (at most <see cref="CircuitBreakerState.MaxRetryAfterHold"/>). The <c>Retry-After</c> of another
    /// failed status (500, 502, ...) does not hold it. Default false.
    /// </summary>
    public bool HonorRetryAfter { get; set; } = CircuitBreakerRules.DefaultHonorRetryAfter;

    /// <summary>
    /// True: the breaker's state is shared by every instance of the service through
    /// <see cref="ResilienceRegistry.DistributedStore"/> (Redis, with the <c>Resilience.Generators.Redis</c> package): a
    /// breaker opened, isolated or reset on one instance is so on all of them, and one instance at a time probes a
    /// half-open dependency. Failures are counted on each instance. Without a store, the breaker is local. Default false.
    /// </summary>
    public bool Distributed { get; set; } = CircuitBreakerRules.DefaultDistributed;

    /// <summary>
    /// A call that takes longer than this many milliseconds is slow, whether it succeeds or fails; 0 (the default)
    /// turns the slow-call rule off. With it on, the breaker also opens when, over the sliding
    /// <see cref="SamplingDurationMs"/> and once <see cref="MinimumThroughput"/> calls were seen, the share of slow calls
    /// reaches <see cref="SlowCallRatio"/>, even if none failed; and a slow probe opens a half-open breaker again.
    /// At least 0.
    /// </summary>
    public int SlowCallDurationMs { get; set; } = CircuitBreakerRules.DefaultSlowCallDurationMs;

    /// <summary>The share of slow calls, in (0, 1], that opens the breaker when <see cref="SlowCallDurationMs"/> is above 0. Default 1: every call of the window.</summary>
    public double SlowCallRatio { get; set; } = CircuitBreakerRules.DefaultSlowCallRatio;

    /// <summary>
    /// The longest break, in milliseconds, when a break grows: each time a failed (or slow) probe opens the breaker
    /// again, the break is twice the previous one (<see cref="BreakDurationMs"/> the first time), up to this; once the
    /// breaker closes, the next break is <see cref="BreakDurationMs"/> again. 0 (the default): every break is
    /// <see cref="BreakDurationMs"/>. 0 or at least <see cref="BreakDurationMs"/>; a value below it (possible when
    /// configuration raises only <see cref="BreakDurationMs"/>) keeps every break at <see cref="BreakDurationMs"/>.
    /// </summary>
    public int MaxBreakDurationMs { get; set; } = CircuitBreakerRules.DefaultMaxBreakDurationMs;

    /// <summary>True when the breaker opens on a failure ratio rather than on consecutive failures.</summary>
    internal bool IsRatioMode => CircuitBreakerRules.FailureRatio.IsOn(FailureRatio);

    /// <summary>True when the breaker also judges how long its calls take (<see cref="SlowCallDurationMs"/> above 0).</summary>
    internal bool JudgesSlowCalls => SlowCallDurationMs > 0;

    /// <summary>Checks every setting and returns an independent copy.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">A setting is outside its range; the message names it and the range.</exception>
    internal CircuitBreakerOptions ValidatedCopy()
    {
        Guard.Setting(CircuitBreakerRules.FailureThreshold, FailureThreshold, nameof(CircuitBreakerOptions));
        Guard.Setting(CircuitBreakerRules.FailureRatio, FailureRatio, nameof(CircuitBreakerOptions));
        Guard.Setting(CircuitBreakerRules.MinimumThroughput, MinimumThroughput, nameof(CircuitBreakerOptions));
        Guard.Setting(CircuitBreakerRules.SamplingDurationMs, SamplingDurationMs, nameof(CircuitBreakerOptions));
        Guard.Setting(CircuitBreakerRules.BreakDurationMs, BreakDurationMs, nameof(CircuitBreakerOptions));
        Guard.Setting(CircuitBreakerRules.SuccessThreshold, SuccessThreshold, nameof(CircuitBreakerOptions));
        Guard.Setting(CircuitBreakerRules.HalfOpenMaxCalls, HalfOpenMaxCalls, nameof(CircuitBreakerOptions));
        Guard.Setting(CircuitBreakerRules.SlowCallDurationMs, SlowCallDurationMs, nameof(CircuitBreakerOptions));
        Guard.Setting(CircuitBreakerRules.SlowCallRatio, SlowCallRatio, nameof(CircuitBreakerOptions));
        Guard.Setting(CircuitBreakerRules.MaxBreakDurationMs, MaxBreakDurationMs, nameof(CircuitBreakerOptions));
        return Copy();
    }

    /// <summary>An independent copy, for a state to hand out without exposing its own.</summary>
    internal CircuitBreakerOptions Copy() => (CircuitBreakerOptions)MemberwiseClone();

    /// <summary>True when every setting equals <paramref name="other"/>'s.</summary>
    internal bool SameAs(CircuitBreakerOptions other)
        => FailureThreshold == other.FailureThreshold && FailureRatio.Equals(other.FailureRatio) && MinimumThroughput == other.MinimumThroughput
            && SamplingDurationMs == other.SamplingDurationMs && BreakDurationMs == other.BreakDurationMs
            && SuccessThreshold == other.SuccessThreshold && HalfOpenMaxCalls == other.HalfOpenMaxCalls && HonorRetryAfter == other.HonorRetryAfter
            && Distributed == other.Distributed && SlowCallDurationMs == other.SlowCallDurationMs && SlowCallRatio.Equals(other.SlowCallRatio)
            && MaxBreakDurationMs == other.MaxBreakDurationMs;
}
