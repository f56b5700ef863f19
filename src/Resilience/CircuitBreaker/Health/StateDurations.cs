using System;

namespace Resilience;

/// <summary>
/// How long one circuit breaker has spent in each state since its creation or the registry's last reset, on the
/// registry's monotonic clock. Read and moved only under the breaker's lock, which the <c>Locked</c> members expect
/// their caller to hold.
/// </summary>
internal sealed class StateDurations
{
    private const int StateCount = 4;

    private readonly long[] _ticks = new long[StateCount];
    private CircuitState _current;
    private long _enteredAt;

    public StateDurations(long now) => _enteredAt = now;

    /// <summary>How long the breaker has been in its current state at <paramref name="now"/>.</summary>
    public TimeSpan CurrentPeriodLocked(long now) => TimeSpan.FromTicks(Elapsed(now));

    /// <summary>Closes the current state's period at <paramref name="now"/> and starts one in <paramref name="next"/>.</summary>
    public void EnterLocked(CircuitState next, long now)
    {
        _ticks[(int)_current] += Elapsed(now);
        _current = next;
        _enteredAt = now;
    }

    /// <summary>The time spent in <paramref name="state"/>, the current period included up to <paramref name="now"/>.</summary>
    public TimeSpan InStateLocked(CircuitState state, long now)
        => TimeSpan.FromTicks(_ticks[(int)state] + (state == _current ? Elapsed(now) : 0));

    /// <summary>Forgets the totals; the current state's period starts again at <paramref name="now"/>.</summary>
    public void ClearLocked(long now)
    {
        Array.Clear(_ticks, 0, _ticks.Length);
        _enteredAt = now;
    }

    // A clock replaced by a test can start behind the previous one: a period never counts as negative.
    private long Elapsed(long now) => Math.Max(0, now - _enteredAt);
}
