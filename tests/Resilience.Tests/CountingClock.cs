using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>A fake clock that counts the timers created (once they exist) and disposed on it, and notes whether each was created with the execution context's flow suppressed.</summary>
internal sealed class CountingClock : FakeTimeProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<bool> _flowSuppressed = new();
    private int _created;
    private int _disposed;

    public int Created => Volatile.Read(ref _created);

    public int Disposed => Volatile.Read(ref _disposed);

    public bool[] FlowSuppressedAtCreation => [.. _flowSuppressed];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Counted once the timer exists, so that a test waiting for the count may advance the clock past it at once.
        var timer = new CountedTimer(base.CreateTimer(callback, state, dueTime, period), this);
        _flowSuppressed.Enqueue(ExecutionContext.IsFlowSuppressed());
        Interlocked.Increment(ref _created);
        return timer;
    }

    private sealed class CountedTimer(ITimer inner, CountingClock clock) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Increment(ref clock._disposed);
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
