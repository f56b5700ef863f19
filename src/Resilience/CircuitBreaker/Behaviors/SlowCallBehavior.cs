using System;

namespace Resilience;

/// <summary>
/// The slow-call rule, laid over a counting mode: the breaker also opens when, over the sliding
/// <see cref="CircuitBreakerOptions.SamplingDurationMs"/>, at least <see cref="CircuitBreakerOptions.MinimumThroughput"/>
/// calls were seen and the share of those that took longer than <see cref="CircuitBreakerOptions.SlowCallDurationMs"/>
/// reached <see cref="CircuitBreakerOptions.SlowCallRatio"/>, successes and failures alike.
/// </summary>
/// <remarks>
/// Failures are still judged by the mode it wraps (consecutive or ratio), which hears every outcome first; the
/// breaker opens when either rule says so. The breaker times a call only under this behaviour, and tells it whether the
/// call was slow: <see cref="OnSuccess"/> and <see cref="OnFailure"/> for a call within the threshold,
/// <see cref="OnSlowSuccess"/> and <see cref="OnSlowFailure"/> for a slow one.
/// </remarks>
internal sealed class SlowCallBehavior : CircuitBehavior
{
    private readonly ResilienceRegistry _registry;
    private readonly CircuitBehavior _failures;
    private readonly FailureWindow _window;
    private readonly int _samplingDurationMs;
    private readonly int _minimumThroughput;
    private readonly double _slowCallRatio;

    /// <param name="options">The settings to judge by.</param>
    /// <param name="failures">The behaviour of the counting mode, which judges failures.</param>
    /// <param name="registry">The registry whose clock timestamps the samples.</param>
    /// <param name="previous">The slow-call behaviour being replaced, if any: its window is kept when the sampling duration is the same.</param>
    public SlowCallBehavior(CircuitBreakerOptions options, CircuitBehavior failures, ResilienceRegistry registry, SlowCallBehavior? previous)
    {
        _registry = registry;
        _failures = failures;
        _samplingDurationMs = options.SamplingDurationMs;
        _minimumThroughput = options.MinimumThroughput;
        _slowCallRatio = options.SlowCallRatio;
        _window = previous is not null && previous._samplingDurationMs == _samplingDurationMs
            ? previous._window
            : new FailureWindow(TimeSpan.FromMilliseconds(_samplingDurationMs).Ticks);
    }

    /// <summary>The behaviour of the counting mode this rule is laid over.</summary>
    public CircuitBehavior Failures => _failures;

    private long NowTicks => Clock.NowTicks(_registry.TimeProvider);

    /// <summary>A call within the threshold succeeded.</summary>
    public override void OnSuccess()
    {
        _failures.OnSuccess();
        _window.Record(NowTicks, failure: false);
    }

    /// <summary>A call within the threshold failed: only the counting mode can open the breaker.</summary>
    public override bool OnFailure(int consecutiveFailures)
    {
        bool open = _failures.OnFailure(consecutiveFailures);
        _window.Record(NowTicks, failure: false);
        return open;
    }

    /// <summary>A slow call succeeded: a success for the counting mode, a slow call for this rule.</summary>
    /// <returns>True when the breaker should open.</returns>
    public bool OnSlowSuccess()
    {
        _failures.OnSuccess();
        return RecordSlow();
    }

    /// <summary>A slow call failed: a failure for the counting mode, a slow call for this rule.</summary>
    /// <returns>True when the breaker should open.</returns>
    public bool OnSlowFailure(int consecutiveFailures)
    {
        bool open = _failures.OnFailure(consecutiveFailures);
        return RecordSlow() || open;
    }

    public override void Clear()
    {
        _failures.Clear();
        _window.Clear();
    }

    /// <summary>The failures as the counting mode reports them.</summary>
    public override (int Failures, double ErrorRate) OpeningFailuresLocked() => _failures.OpeningFailuresLocked();

    /// <summary>The slow calls in the window and their share of its calls, in [0, 1].</summary>
    public (int SlowCalls, double SlowCallRate) SlowCallsLocked()
    {
        (int calls, int slow) = _window.Sum(NowTicks);
        return (slow, calls == 0 ? 0 : Math.Min(1, (double)slow / calls));
    }

    private bool RecordSlow()
    {
        long now = NowTicks;
        _window.Record(now, failure: true);
        (int calls, int slow) = _window.Sum(now);
        return calls >= _minimumThroughput && slow >= _slowCallRatio * calls;
    }
}
