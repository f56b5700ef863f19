using System;

namespace Resilience;

/// <summary>
/// Ratio mode: the breaker opens when, over the sliding <see cref="CircuitBreakerOptions.SamplingDurationMs"/>,
/// at least <see cref="CircuitBreakerOptions.MinimumThroughput"/> calls were seen and the share of failures
/// reached <see cref="CircuitBreakerOptions.FailureRatio"/>.
/// </summary>
internal sealed class FailureRatioBehavior : CircuitBehavior
{
    private readonly ResilienceRegistry _registry;
    private readonly FailureWindow _window;
    private readonly int _samplingDurationMs;
    private readonly int _minimumThroughput;
    private readonly double _failureRatio;

    /// <param name="options">The settings to judge by.</param>
    /// <param name="registry">The registry whose clock timestamps the samples.</param>
    /// <param name="previous">The ratio behaviour being replaced, if any: its window is kept when the sampling duration is the same.</param>
    public FailureRatioBehavior(CircuitBreakerOptions options, ResilienceRegistry registry, FailureRatioBehavior? previous)
    {
        _registry = registry;
        _samplingDurationMs = options.SamplingDurationMs;
        _minimumThroughput = options.MinimumThroughput;
        _failureRatio = options.FailureRatio;
        _window = previous is not null && previous._samplingDurationMs == _samplingDurationMs
            ? previous._window
            : new FailureWindow(TimeSpan.FromMilliseconds(_samplingDurationMs).Ticks);
    }

    private long NowTicks => Clock.NowTicks(_registry.TimeProvider);

    public override void OnSuccess() => _window.Record(NowTicks, failure: false);

    public override bool OnFailure(int consecutiveFailures)
    {
        long now = NowTicks;
        _window.Record(now, failure: true);
        (int calls, int failures) = _window.Sum(now);
        return calls >= _minimumThroughput && failures >= _failureRatio * calls;
    }

    public override void Clear() => _window.Clear();

    /// <summary>The failures in the window and their share of its calls.</summary>
    public override (int Failures, double ErrorRate) OpeningFailuresLocked()
    {
        (int calls, int failures) = _window.Sum(NowTicks);
        return (failures, calls == 0 ? 0 : Math.Min(1, (double)failures / calls));
    }
}
