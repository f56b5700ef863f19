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
    public PermitBatch(object owner, int left, long expiresAt)
    {
        Owner = owner;
        _left = left;
        _expiresAt = expiresAt;
    }

    public object Owner { get; }

    /// <summary>The permits not handed out yet (they may have expired).</summary>
    public int Left => Volatile.Read(ref _left);

    /// <summary>Takes a permit if one is left and the lease has not ended at <paramref name="now"/>.</summary>
    public bool TryTake(long now)
    {
        if (now >= _expiresAt)
        {
            return false;
        }

        int left = Volatile.Read(ref _left);
        while (left > 0)
        {
            int seen = Interlocked.CompareExchange(ref _left, left - 1, left);
            if (seen == left)
            {
                return true;
            }

            left = seen;
        }

        return false;
    }

    /// <summary>Stops handing out permits (a newer batch replaces this one, or the limit is reset); returns those dropped.</summary>
    public int Discard() => Interlocked.Exchange(ref _left, 0);
}
