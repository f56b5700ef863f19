namespace Resilience.Redis.Tests;

/// <summary>
/// The context of a UI thread that is blocked waiting for the call it made: whatever is posted to it never runs. A call
/// started on it completes only if the library never resumes on the caller's context.
/// </summary>
internal sealed class BlockedSynchronizationContext : SynchronizationContext
{
    private int _posted;

    /// <summary>How many continuations were posted here (and never ran).</summary>
    public int Posted => Volatile.Read(ref _posted);

    public override void Post(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posted);

    public override void Send(SendOrPostCallback d, object? state) => throw new InvalidOperationException("A blocked thread cannot run a callback sent to it.");

    /// <summary>Starts <paramref name="start"/> on this context (as a call made from the blocked thread), and returns what it started.</summary>
    public T Start<T>(Func<T> start)
    {
        SynchronizationContext? before = Current;
        SetSynchronizationContext(this);
        try
        {
            return start();
        }
        finally
        {
            SetSynchronizationContext(before);
        }
    }
}
