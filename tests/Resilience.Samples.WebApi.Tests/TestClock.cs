using Microsoft.Extensions.Time.Testing;

namespace Resilience.Samples.WebApi.Tests;

/// <summary>
/// A fake clock that also counts the timers armed on it (created with a due time, or changed to one), so that a
/// test can tell when the application waits on it: a retry delay, a timeout, the shutdown delay.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    private long _armed;
    private TaskCompletionSource _nextArming = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The timers armed so far.</summary>
    public long ArmedTimers => Interlocked.Read(ref _armed);

    /// <summary>Completes once more than <paramref name="count"/> timers have been armed.</summary>
    public Task WhenArmedMoreThan(long count)
    {
        // Read the pending signal before the count: an arming in between completes the signal read.
        Task next = Volatile.Read(ref _nextArming).Task;
        return ArmedTimers > count ? Task.CompletedTask : next;
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ArmingTimer(base.CreateTimer(callback, state, dueTime, period), this);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            OnArmed();
        }

        return timer;
    }

    private void OnArmed()
    {
        Interlocked.Increment(ref _armed);
        Interlocked.Exchange(ref _nextArming, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private sealed class ArmingTimer(ITimer timer, TestClock clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool changed = timer.Change(dueTime, period);
            if (changed && dueTime != Timeout.InfiniteTimeSpan)
            {
                clock.OnArmed();
            }

            return changed;
        }

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
