using System;

#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>
/// The delay before a retry, as the runtime waits it and the analyzers reason about it. With <c>d</c> the base
/// delay and <c>n</c> the retry's number (1 for the second attempt): <see cref="BackoffKind.Constant"/> waits
/// <c>d</c>, <see cref="BackoffKind.Linear"/> <c>n × d</c>, <see cref="BackoffKind.Exponential"/> <c>d × 2^(n−1)</c>,
/// capped at the maximum. Jitter then draws uniformly from [<see cref="JitterFloor"/> × base, base].
/// </summary>
internal static class BackoffFormula
{
    /// <summary>The shortest share of the base delay that jitter draws: half of it ("equal jitter").</summary>
    public const double JitterFloor = 0.5;

    // 2^62 milliseconds is far beyond any cap; a larger shift would overflow.
    private const int LargestShift = 62;

    /// <summary>The delay before retry <paramref name="retry"/> without jitter, capped at <paramref name="maxDelayMs"/>: the worst case.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a <see cref="BackoffKind"/>.</exception>
    public static double BaseDelayMilliseconds(BackoffKind kind, int retry, int delayMs, int maxDelayMs)
    {
        double milliseconds = kind switch
        {
            BackoffKind.Constant => delayMs,
            BackoffKind.Linear => (double)delayMs * retry,
            BackoffKind.Exponential => delayMs * (double)(1L << Math.Min(retry - 1, LargestShift)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, RetryRules.Backoff.Describe(nameof(kind), kind.ToString()) + "."),
        };

        return Math.Min(milliseconds, maxDelayMs);
    }

    /// <summary>The delay drawn from <paramref name="baseMilliseconds"/> for a uniform <paramref name="random"/> in [0, 1).</summary>
    public static double Jittered(double baseMilliseconds, double random) => baseMilliseconds * (JitterFloor + ((1 - JitterFloor) * random));

    /// <summary>The shortest delay <paramref name="baseMilliseconds"/> can become: the floor with jitter, itself without.</summary>
    public static double ShortestMilliseconds(double baseMilliseconds, bool jitter) => jitter ? baseMilliseconds * JitterFloor : baseMilliseconds;
}
