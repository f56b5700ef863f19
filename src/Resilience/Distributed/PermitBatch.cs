using System.Threading;

namespace Resilience;

/// <summary>
/// Permits of a distributed limit taken from the store in one round trip (<see cref="RateLimitOptions.DistributedBatch"/>),
/// handed out by this instance until they run out or their lease ends. Thread-safe; taking one is a compare-and-swap.
/// </summary>
internal sealed class PermitBatch
{
    private readonly long _expiresAt;
    private int _left;

    /// <param name="owner">The settings object the batch was taken for; a batch of older settings is not used.</param>
    /// <param name="left">The permits to hand out.</param>
    /// <param name="expiresAt">When the lease ends, in <see cref="Clock.NowTicks"/> ticks.</param>
    /// <param name="refillAt">The permits left at which the next batch is asked for ahead; 0 for none.</param>
    /// <param name="window">For a fixed window, which window the permits belong to (its end); 0 otherwise.</param>
    public PermitBatch(object owner, int left, long expiresAt, int refillAt, long window)
    {
        Owner = owner;
        _left = left;
        _expiresAt = expiresAt;
        RefillAt = refillAt;
        Window = window;
    }

    public object Owner { get; }

    /// <summary>The permits left at which the next batch is asked for, so that it comes before this one runs out; 0 for none.</summary>
    public int RefillAt { get; }

    /// <summary>For a fixed window, the window the permits were counted in; permits never move to another window's batch.</summary>
    public long Window { get; }

    /// <summary>True once the lease has ended at <paramref name="now"/>.</summary>
    public bool HasExpired(long now) => now >= _expiresAt;

    /// <summary>The permits not handed out yet (they may have expired).</summary>
    public int Left => Volatile.Read(ref _left);

    /// <summary>Takes a permit if one is left and the lease has not ended at <paramref name="now"/>.</summary>
    /// <param name="now">The time, in <see cref="Clock.NowTicks"/> ticks.</param>
    /// <param name="left">The permits left after this one.</param>
    public bool TryTake(long now, out int left)
    {
        left = Volatile.Read(ref _left);
        if (now >= _expiresAt)
        {
            return false;
        }

        while (left > 0)
        {
            int seen = Interlocked.CompareExchange(ref _left, left - 1, left);
            if (seen == left)
            {
                left--;
                return true;
            }

            left = seen;
        }

        return false;
    }

    /// <summary>Adds permits carried over from the batch this one replaces.</summary>
    public void Add(int permits) => Interlocked.Add(ref _left, permits);

    /// <summary>Stops handing out permits (a newer batch replaces this one, or the limit is reset); returns those dropped.</summary>
    public int Discard() => Interlocked.Exchange(ref _left, 0);
}
