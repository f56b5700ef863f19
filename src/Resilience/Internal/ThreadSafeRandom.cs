using System;
using System.Threading;

namespace Resilience;

/// <summary>
/// A per-thread xorshift64* generator: thread-safe because each thread has its own state, and free of
/// allocation because that state is a number, not an object.
/// </summary>
internal static class ThreadSafeRandom
{
    private static long s_seed = Environment.TickCount ^ 0x5DEECE66DL;

    [ThreadStatic]
    private static ulong t_state;

    /// <summary>A uniformly distributed value in [0, 1).</summary>
    public static double NextDouble()
    {
        ulong x = t_state;
        if (x == 0)
        {
            x = Seed();
        }

        ulong output = Next(ref x);
        t_state = x;
        return ToUnitInterval(output);
    }

    /// <summary>
    /// One step of xorshift64* as published by Vigna (2016; shifts 12, 25 and 27, multiplier 0x2545F4914F6CDD1D):
    /// advances <paramref name="state"/>, which must not be 0, and returns the step's scrambled output.
    /// </summary>
    internal static ulong Next(ref ulong state)
    {
        ulong x = state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state = x;
        return unchecked(x * 0x2545F4914F6CDD1DUL);
    }

    /// <summary>The top 53 bits of <paramref name="bits"/> (a double's precision) as a value in [0, 1).</summary>
    internal static double ToUnitInterval(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

    private static ulong Seed()
    {
        // SplitMix64 over a process-wide counter, so that threads started together get unrelated sequences.
        ulong z = Mix(unchecked((ulong)Interlocked.Add(ref s_seed, unchecked((long)GoldenGamma))));
        // Stryker disable once Conditional : z is 0 for one counter value in 2^64, and a zero state is seeded again at the next draw; the Equality mutant, which gives every thread the same seed, is killed
        return z == 0 ? 0x9E3779B97F4A7C15UL : z;
    }

    /// <summary>SplitMix64's increment of its state at each draw: 2^64 divided by the golden ratio, made odd.</summary>
    internal const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;

    /// <summary>SplitMix64's output function of its state <paramref name="z"/> (Steele, Lea and Flood, 2014): a bijection, so that distinct counters give distinct seeds.</summary>
    internal static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
