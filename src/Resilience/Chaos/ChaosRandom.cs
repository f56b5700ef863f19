using System;
using System.Threading;

namespace Resilience;

/// <summary>
/// The random draws of one name's chaos injection: SplitMix64 over a state that every draw advances with one
/// <see cref="Interlocked"/> addition, so that it is thread-safe without a lock, and repeats its sequence for a
/// given seed (in the order the draws are made).
/// </summary>
internal sealed class ChaosRandom
{
    private long _state;

    /// <param name="seed">The seed; null for one taken from the clock and a fresh <see cref="Guid"/>.</param>
    public ChaosRandom(int? seed)
    {
        _state = seed is { } given ? given : Environment.TickCount ^ Guid.NewGuid().GetHashCode() ^ ((long)Guid.NewGuid().GetHashCode() << 32);
    }

    /// <summary>A uniformly distributed value in [0, 1).</summary>
    public double NextDouble()
        => ThreadSafeRandom.ToUnitInterval(ThreadSafeRandom.Mix(unchecked((ulong)Interlocked.Add(ref _state, unchecked((long)ThreadSafeRandom.GoldenGamma)))));

    /// <summary>True with probability <paramref name="rate"/>; draws nothing (and so leaves the sequence alone) when the rate is 0.</summary>
    public bool Chance(double rate) => rate > 0 && (rate >= 1 || NextDouble() < rate);
}
