using System;
using System.Threading;

namespace Resilience;

/// <summary>
/// The counts of one circuit breaker: its totals since creation or the registry's last reset, the current run
/// of consecutive failures, and the totals when the breaker last changed state (where its current period began).
/// </summary>
/// <remarks>
/// Totals and the run of failures are counted without a lock. The period is read and moved only under the
/// breaker's lock, which the <c>Locked</c> members expect their caller to hold.
/// </remarks>
internal sealed class CircuitCounters
{
    private long _successes;
    private long _failures;
    private long _rejections;
    private long _slowCalls;
    private long _lastFailureUtcTicks;
    private int _consecutiveFailures;

    private long _periodStartSuccesses;
    private long _periodStartFailures;

    /// <summary>Failures since the last success that ended the run, or since the breaker last closed.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    public void CountSuccess() => Interlocked.Increment(ref _successes);

    /// <summary>Counts a failure in the totals and remembers when it happened.</summary>
    public void CountFailure(DateTimeOffset timestamp)
    {
        Interlocked.Increment(ref _failures);
        Volatile.Write(ref _lastFailureUtcTicks, timestamp.UtcTicks);
    }

    public void CountRejection() => Interlocked.Increment(ref _rejections);

    /// <summary>Counts a call that took longer than the slow-call duration (it is counted as a success or failure too).</summary>
    public void CountSlowCall() => Interlocked.Increment(ref _slowCalls);

    /// <summary>Adds a failure to the current run and returns the run's length, this failure included.</summary>
    public int CountConsecutiveFailure() => Interlocked.Increment(ref _consecutiveFailures);

    /// <summary>Ends the run of consecutive failures; writes only when there was one, so that a run of successes only reads.</summary>
    public void EndFailureRun()
    {
        if (Volatile.Read(ref _consecutiveFailures) != 0)
        {
            Volatile.Write(ref _consecutiveFailures, 0);
        }
    }

    /// <summary>Starts a new period at the current totals, on a change of state.</summary>
    public void StartPeriodLocked()
    {
        _periodStartSuccesses = Volatile.Read(ref _successes);
        _periodStartFailures = Volatile.Read(ref _failures);
    }

    /// <summary>The failures of the current period and their share of its calls, in [0, 1] (0 without calls).</summary>
    public (int Failures, double ErrorRate) PeriodFailuresLocked()
    {
        long failures = Volatile.Read(ref _failures) - _periodStartFailures;
        long calls = failures + Volatile.Read(ref _successes) - _periodStartSuccesses;
        double errorRate = calls <= 0 ? 0 : Math.Min(1, (double)failures / calls);
        return ((int)Math.Min(Math.Max(failures, 0), int.MaxValue), errorRate);
    }

    /// <summary>A snapshot of the totals, reported with <paramref name="state"/> and the time the breaker has been in it.</summary>
    public CircuitBreakerMetrics Snapshot(CircuitState state, TimeSpan timeInState, (int Failures, double ErrorRate) recent)
    {
        long lastFailure = Volatile.Read(ref _lastFailureUtcTicks);
        return new CircuitBreakerMetrics(
            state,
            Volatile.Read(ref _successes),
            Volatile.Read(ref _failures),
            Volatile.Read(ref _rejections),
            Volatile.Read(ref _slowCalls),
            Volatile.Read(ref _consecutiveFailures),
            lastFailure == 0 ? null : new DateTimeOffset(lastFailure, TimeSpan.Zero),
            timeInState,
            recent.Failures,
            recent.ErrorRate);
    }

    /// <summary>Clears the totals and the period; the run of failures is ended with the breaker's reset.</summary>
    public void ClearTotalsLocked()
    {
        Volatile.Write(ref _successes, 0);
        Volatile.Write(ref _failures, 0);
        Volatile.Write(ref _rejections, 0);
        Volatile.Write(ref _slowCalls, 0);
        Volatile.Write(ref _lastFailureUtcTicks, 0);
        _periodStartSuccesses = 0;
        _periodStartFailures = 0;
    }
}
