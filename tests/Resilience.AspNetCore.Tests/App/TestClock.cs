using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.AspNetCore.Tests.App;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers armed on it (created with a due time, or changed to one)
/// by due time, so that a test can wait until a request running on the server has started its timeout before it
/// moves the clock past it. (The server arms timers of its own on the application's clock: counting them all would
/// not tell.)
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    private readonly ConcurrentDictionary<TimeSpan, int> _armed = new();

    /// <summary>How many times a timer was armed to fire after <paramref name="dueTime"/>.</summary>
    public int TimersArmed(TimeSpan dueTime) => _armed.TryGetValue(dueTime, out int count) ? count : 0;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ArmingTimer(base.CreateTimer(callback, state, dueTime, period), this);
        OnArmed(dueTime);
        return timer;
    }

    private void OnArmed(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _armed.AddOrUpdate(dueTime, 1, static (_, count) => count + 1);
        }
    }

    private sealed class ArmingTimer(ITimer timer, TestClock clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool changed = timer.Change(dueTime, period);
            if (changed)
            {
                clock.OnArmed(dueTime);
            }

            return changed;
        }

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
