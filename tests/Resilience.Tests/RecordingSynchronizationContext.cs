namespace Resilience.Tests;

/// <summary>
/// A caller's synchronization context, as a UI thread or a classic ASP.NET request has one: counts the continuations
/// posted to it (a library's awaits should post none) and runs them on the thread pool, so that a test fails on the
/// count rather than hanging.
/// </summary>
internal sealed class RecordingSynchronizationContext : SynchronizationContext
{
    private int _posted;

    /// <summary>How many continuations were posted to this context.</summary>
    public int Posted => Volatile.Read(ref _posted);

    public override void Post(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _posted);
        ThreadPool.QueueUserWorkItem(_ => d(state));
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _posted);
        d(state);
    }

    /// <summary>Runs <paramref name="start"/> with this context as the current thread's, as a caller on it would, and puts the thread's own back.</summary>
    public T RunAsCaller<T>(Func<T> start)
    {
        SynchronizationContext? previous = Current;
        SetSynchronizationContext(this);
        try
        {
            return start();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
