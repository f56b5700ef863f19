namespace Resilience.AspNetCore.Tests.App;

/// <summary>
/// Holds requests until a set number have arrived, then lets them all go at once: the calls they then make run at
/// the same time.
/// </summary>
public sealed class ArrivalGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _expected = 1;
    private int _arrived;

    /// <summary>How many requests the gate waits for; 1 (no waiting) unless a test says otherwise.</summary>
    public int Expected
    {
        get => Volatile.Read(ref _expected);
        set => Volatile.Write(ref _expected, value);
    }

    /// <summary>Completes once <see cref="Expected"/> requests have arrived; fails after 10 s rather than hang a test.</summary>
    public Task ArriveAsync()
    {
        if (Interlocked.Increment(ref _arrived) >= Expected)
        {
            _open.TrySetResult();
        }

        return _open.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
