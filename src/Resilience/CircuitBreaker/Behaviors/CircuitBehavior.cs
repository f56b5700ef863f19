namespace Resilience;

/// <summary>
/// How a closed circuit breaker counts the outcomes of its calls and decides to open: one subclass per counting mode,
/// and the slow-call rule (<see cref="SlowCallBehavior"/>) laid over either when the breaker judges slow calls.
/// </summary>
/// <remarks>
/// <para>
/// A behaviour is built for one set of settings and held with them, so that a call reads the behaviour and the
/// settings it judges by in one read; new settings bring a new behaviour, which takes over what the previous one
/// sampled when it samples the same way.
/// </para>
/// <para>
/// It hears only the outcomes of calls that entered the closed breaker's current period: a late outcome and the
/// half-open breaker's probes are dealt with by the breaker. Its members are called without the breaker's lock,
/// except those whose name ends in <c>Locked</c>.
/// </para>
/// </remarks>
internal abstract class CircuitBehavior
{
    /// <summary>The behaviour for <paramref name="options"/>' mode, taking over <paramref name="previous"/>'s samples where it can.</summary>
    /// <param name="options">The settings in force from now on.</param>
    /// <param name="previous">The behaviour of the settings being replaced; null for a new breaker.</param>
    /// <param name="counters">The breaker's counts, which hold the run of consecutive failures.</param>
    /// <param name="registry">The registry whose clock timestamps the samples.</param>
    public static CircuitBehavior Create(CircuitBreakerOptions options, CircuitBehavior? previous, CircuitCounters counters, ResilienceRegistry registry)
    {
        var previousSlow = previous as SlowCallBehavior;
        CircuitBehavior? previousFailures = previousSlow?.Failures ?? previous;
        CircuitBehavior failures = options.IsRatioMode
            ? new FailureRatioBehavior(options, registry, previousFailures as FailureRatioBehavior)
            : new ConsecutiveFailuresBehavior(options, counters);
        return options.JudgesSlowCalls ? new SlowCallBehavior(options, failures, registry, previousSlow) : failures;
    }

    /// <summary>A call of the current period succeeded.</summary>
    public abstract void OnSuccess();

    /// <summary>A call of the current period failed.</summary>
    /// <param name="consecutiveFailures">The run of consecutive failures, this one included; the breaker counts it in every mode.</param>
    /// <returns>True when the breaker should open.</returns>
    public abstract bool OnFailure(int consecutiveFailures);

    /// <summary>Forgets what was sampled: the breaker closed or was reset.</summary>
    public abstract void Clear();

    /// <summary>The failures that are opening the closed breaker and their share of the calls, in [0, 1], for its event.</summary>
    public abstract (int Failures, double ErrorRate) OpeningFailuresLocked();
}
