using System;

namespace Resilience;

/// <summary>
/// Stops calling a failing dependency for a while, then lets probe calls test whether it recovered.
/// </summary>
/// <remarks>
/// <para>
/// Two modes. By default the breaker opens after <see cref="FailureThreshold"/> consecutive failures.
/// When <see cref="FailureRatio"/> is above 0 it opens instead when that share of the calls in the last
/// <see cref="SamplingDurationMs"/> failed, once at least <see cref="MinimumThroughput"/> calls were seen. In either
/// mode, <see cref="SlowCallDurationMs"/> adds the slow-call rule: the breaker also opens when
/// <see cref="SlowCallRatio"/> of the calls of that window were slow.
/// </para>
/// <para>
/// An open breaker rejects calls with <see cref="BrokenCircuitException"/> (or sends them to the
/// <see cref="FallbackAttribute"/> method without throwing) for <see cref="BreakDurationMs"/>; then it is
/// half-open: up to <see cref="HalfOpenMaxCalls"/> probes run at once, <see cref="SuccessThreshold"/>
/// successful probes close it, and one failed probe opens it again, for a break that doubles each time up to
/// <see cref="MaxBreakDurationMs"/> when that is set.
/// </para>
/// <para>
/// Timeouts count as failures. The caller's cancellation, bulkhead and rate-limit rejections do not.
/// Methods naming the same <see cref="Name"/> share one breaker; read it with
/// <see cref="ResilienceRegistry.CircuitBreaker(string)"/>.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CircuitBreakerAttribute : Attribute
{
    /// <summary>Guards the method with a circuit breaker.</summary>
    /// <param name="failureThreshold">Consecutive failures that open the breaker; at least 1. Default 5.</param>
    public CircuitBreakerAttribute(int failureThreshold = CircuitBreakerRules.DefaultFailureThreshold) => FailureThreshold = failureThreshold;

    /// <summary>Consecutive failures that open the breaker (consecutive mode); at least 1. Default 5.</summary>
    public int FailureThreshold { get; }

    /// <summary>
    /// The share of failed calls, in (0, 1], that opens the breaker in ratio mode. Default 0: ratio mode off,
    /// <see cref="FailureThreshold"/> applies.
    /// </summary>
    public double FailureRatio { get; set; } = CircuitBreakerRules.DefaultFailureRatio;

    /// <summary>Ratio mode: calls that must be seen in the sampling window before the ratio is judged; at least 1. Default 10.</summary>
    public int MinimumThroughput { get; set; } = CircuitBreakerRules.DefaultMinimumThroughput;

    /// <summary>Ratio mode: the sliding window, in milliseconds, over which the ratio is measured; at least 1. Default 30 000.</summary>
    public int SamplingDurationMs { get; set; } = CircuitBreakerRules.DefaultSamplingDurationMs;

    /// <summary>How long, in milliseconds, the breaker stays open before it lets probes through; at least 1. Default 30 000.</summary>
    public int BreakDurationMs { get; set; } = CircuitBreakerRules.DefaultBreakDurationMs;

    /// <summary>Successful probes needed to close a half-open breaker; at least 1. Default 1.</summary>
    public int SuccessThreshold { get; set; } = CircuitBreakerRules.DefaultSuccessThreshold;

    /// <summary>Probes let through at once while half-open; the rest are rejected. At least 1. Default 1.</summary>
    public int HalfOpenMaxCalls { get; set; } = CircuitBreakerRules.DefaultHalfOpenMaxCalls;

    /// <summary>
    /// True: when the failure that opens the breaker is an HTTP response of 429 (Too Many Requests) or 503 (Service
    /// Unavailable) whose <c>Retry-After</c> asks for longer than <see cref="BreakDurationMs"/>, the breaker stays open
    /// until then, at most one hour (<see cref="CircuitBreakerState.MaxRetryAfterHold"/>): the dependency said when to
    /// come back. The <c>Retry-After</c> of another failed status (500, 502, ...) does not hold it (a retry still
    /// waits it). Default false.
    /// </summary>
    public bool HonorRetryAfter { get; set; } = CircuitBreakerRules.DefaultHonorRetryAfter;

    /// <summary>
    /// True: the breaker's state is shared by every instance of the service through the distributed store that
    /// <c>ResilienceRegistry.Default.UseRedis(...)</c> registers. Opened, isolated or reset on one instance, it is so on
    /// every one; one instance at a time probes a half-open dependency. Failures are counted on each instance, and the
    /// closed breaker's calls make no round trip to the store. Without a store the breaker is local, and says so once.
    /// Default false.
    /// </summary>
    public bool Distributed { get; set; } = CircuitBreakerRules.DefaultDistributed;

    /// <summary>
    /// A call that takes longer than this many milliseconds is slow, whether it succeeds or fails (Resilience4j's
    /// slow-call rule). 0 (the default) turns the rule off, and nothing is timed. With it on, the breaker also opens when,
    /// over the sliding <see cref="SamplingDurationMs"/> and once <see cref="MinimumThroughput"/> calls were seen, the
    /// share of slow calls reaches <see cref="SlowCallRatio"/>, even if none failed, in either counting mode; and a
    /// half-open breaker's probe that is slow opens it again, as a failed one does. A call is timed from the moment the
    /// breaker lets it through (a bulkhead's queue included) to its outcome. At least 0.
    /// </summary>
    public int SlowCallDurationMs { get; set; } = CircuitBreakerRules.DefaultSlowCallDurationMs;

    /// <summary>
    /// The share of slow calls, in (0, 1], over the sampling window that opens the breaker when
    /// <see cref="SlowCallDurationMs"/> is above 0. Default 1: every call of the window was slow.
    /// </summary>
    public double SlowCallRatio { get; set; } = CircuitBreakerRules.DefaultSlowCallRatio;

    /// <summary>
    /// Lets the break grow while the dependency stays down: each time a probe fails (or is slow) and the breaker opens
    /// again, the break doubles, from <see cref="BreakDurationMs"/> up to this many milliseconds. Once the breaker
    /// closes, the next break is <see cref="BreakDurationMs"/> again. 0 (the default): every break lasts
    /// <see cref="BreakDurationMs"/>. 0 or at least <see cref="BreakDurationMs"/>.
    /// </summary>
    public int MaxBreakDurationMs { get; set; } = CircuitBreakerRules.DefaultMaxBreakDurationMs;

    /// <summary>
    /// The breaker's name. Methods naming the same breaker share its state (one breaker per downstream
    /// service, say). Default: <c>Namespace.Type.Method</c>, a breaker of the method's own.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>Exception types (and subclasses) that count as failures. Empty or unset: every exception not in <see cref="Ignore"/>.</summary>
    public Type[]? Handle { get; set; }

    /// <summary>Exception types (and subclasses) that never count as failures; wins over <see cref="Handle"/>.</summary>
    public Type[]? Ignore { get; set; }

    /// <summary>
    /// The name of a method of the same type, <c>bool M(T result)</c> (static or instance), that says whether a
    /// result the method returned counts as a failure. A method returning <c>HttpResponseMessage</c> without it
    /// counts 408, 429 and 5xx responses (see <see cref="HttpOutcomes.IsTransientFailure"/>).
    /// </summary>
    public string? HandleResult { get; set; }
}
