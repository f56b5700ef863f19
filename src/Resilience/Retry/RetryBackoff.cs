using System;

namespace Resilience;

/// <summary>Computes the delay before a retry. Generated code calls it with the <see cref="RetryAttribute"/>'s settings.</summary>
public static class RetryBackoff
{
    /// <summary>The delay before retry number <paramref name="retry"/> (1 for the first retry, that is the second attempt).</summary>
    /// <remarks>
    /// <para>With <c>d = <paramref name="delayMs"/></c> and <c>n = <paramref name="retry"/></c>, the base delay is</para>
    /// <list type="bullet">
    /// <item><description><see cref="BackoffKind.Constant"/>: <c>d</c>;</description></item>
    /// <item><description><see cref="BackoffKind.Linear"/>: <c>n × d</c>;</description></item>
    /// <item><description><see cref="BackoffKind.Exponential"/>: <c>d × 2^(n−1)</c>;</description></item>
    /// </list>
    /// <para>
    /// capped at <paramref name="maxDelayMs"/>. With <paramref name="jitter"/>, the delay is then drawn
    /// uniformly from <c>[base / 2, base]</c> ("equal jitter"): callers that failed together spread over half
    /// the delay, and no delay ever exceeds the one without jitter, which is therefore the worst case.
    /// </para>
    /// <para>Thread-safe and free of allocation: the random source is a per-thread generator.</para>
    /// </remarks>
    /// <param name="kind">How the delay grows.</param>
    /// <param name="retry">The retry's number, from 1.</param>
    /// <param name="delayMs">The base delay in milliseconds; at least 0.</param>
    /// <param name="maxDelayMs">The cap in milliseconds; at least <paramref name="delayMs"/>.</param>
    /// <param name="jitter">Whether to randomise the delay.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range; the message names it.</exception>
    public static TimeSpan GetDelay(BackoffKind kind, int retry, int delayMs, int maxDelayMs, bool jitter)
    {
        Guard.AtLeast(retry, 1, nameof(retry));
        Guard.AtLeast(delayMs, RetryRules.DelayMs.Minimum, nameof(delayMs));
        Guard.AtLeast(maxDelayMs, delayMs, nameof(maxDelayMs), nameof(delayMs));

        double milliseconds = BackoffFormula.BaseDelayMilliseconds(kind, retry, delayMs, maxDelayMs);
        if (jitter)
        {
            milliseconds = BackoffFormula.Jittered(milliseconds, ThreadSafeRandom.NextDouble());
        }

        return TimeSpan.FromTicks((long)(milliseconds * TimeSpan.TicksPerMillisecond));
    }

    /// <summary>
    /// The delay before retry number <paramref name="retry"/>: what the dependency or a <c>DelayGenerator</c> asked
    /// for (<paramref name="requested"/>), capped at <paramref name="maxDelayMs"/> and never negative; the computed
    /// backoff (see <see cref="GetDelay(BackoffKind, int, int, int, bool)"/>) when nothing was asked.
    /// </summary>
    /// <param name="kind">How the delay grows.</param>
    /// <param name="retry">The retry's number, from 1.</param>
    /// <param name="delayMs">The base delay in milliseconds; at least 0.</param>
    /// <param name="maxDelayMs">The cap in milliseconds; at least <paramref name="delayMs"/>.</param>
    /// <param name="jitter">Whether to randomise the computed delay (an asked delay is waited as asked).</param>
    /// <param name="requested">The delay asked for: a <c>Retry-After</c>, a rejection's <c>RetryAfter</c>, a <c>DelayGenerator</c>'s answer; null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range; the message names it.</exception>
    public static TimeSpan GetDelay(BackoffKind kind, int retry, int delayMs, int maxDelayMs, bool jitter, TimeSpan? requested)
    {
        if (requested is not { } asked)
        {
            return GetDelay(kind, retry, delayMs, maxDelayMs, jitter);
        }

        Guard.AtLeast(maxDelayMs, RetryRules.MaxDelayMs.Minimum, nameof(maxDelayMs));
        TimeSpan cap = TimeSpan.FromTicks(maxDelayMs * TimeSpan.TicksPerMillisecond);
        return asked <= TimeSpan.Zero ? TimeSpan.Zero : asked < cap ? asked : cap;
    }

    /// <summary>
    /// The delay before retry number <paramref name="retry"/>, as
    /// <see cref="GetDelay(BackoffKind, int, int, int, bool, TimeSpan?)"/> computes it with the compiled-in settings and
    /// <paramref name="overrides"/>' values laid over them. A base delay above the cap in force waits the cap, as every
    /// delay would.
    /// </summary>
    /// <param name="overrides">What configuration overrides for the method's policy name; null for nothing.</param>
    /// <param name="kind">How the delay grows, as compiled in.</param>
    /// <param name="retry">The retry's number, from 1.</param>
    /// <param name="delayMs">The base delay in milliseconds, as compiled in.</param>
    /// <param name="maxDelayMs">The cap in milliseconds, as compiled in.</param>
    /// <param name="jitter">Whether to randomise the computed delay, as compiled in.</param>
    /// <param name="requested">The delay asked for (see the other overloads); null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range; the message names it.</exception>
    public static TimeSpan GetDelay(PolicyOverrides? overrides, BackoffKind kind, int retry, int delayMs, int maxDelayMs, bool jitter, TimeSpan? requested = null)
    {
        if (overrides is null)
        {
            return GetDelay(kind, retry, delayMs, maxDelayMs, jitter, requested);
        }

        int cap = overrides.MaxDelayMs ?? maxDelayMs;
        int delay = overrides.DelayMs ?? delayMs;
        return GetDelay(overrides.Backoff ?? kind, retry, delay < cap ? delay : cap, cap, overrides.Jitter ?? jitter, requested);
    }
}
