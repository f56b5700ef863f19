using System;

namespace Resilience.Analyzers;

/// <summary>The values of a [Retry] that decide its timing, with the attribute's defaults.</summary>
internal sealed class RetrySettings
{
    private RetrySettings(int maxAttempts, int delayMs, int maxDelayMs, int backoff, bool jitter)
    {
        MaxAttempts = maxAttempts;
        DelayMs = delayMs;
        MaxDelayMs = maxDelayMs;
        Backoff = backoff;
        Jitter = jitter;
    }

    public int MaxAttempts { get; }

    public int DelayMs { get; }

    public int MaxDelayMs { get; }

    /// <summary>BackoffKind: 0 Constant, 1 Linear, 2 Exponential.</summary>
    public int Backoff { get; }

    public bool Jitter { get; }

    /// <summary>
    /// The settings of <paramref name="retry"/>; null when a value is out of its range, which the generator
    /// reports as an error (RES0004): a warning computed from it would only add noise.
    /// </summary>
    public static RetrySettings? From(PolicyAttribute retry)
    {
        var settings = new RetrySettings(
            retry.Int("MaxAttempts", 3),
            retry.Int("DelayMs", 200),
            retry.Int("MaxDelayMs", 30_000),
            retry.Int("Backoff", 2),
            retry.Bool("Jitter", true));
        bool valid = settings.MaxAttempts >= 1
            && settings.DelayMs >= 0
            && settings.MaxDelayMs >= settings.DelayMs
            && settings.Backoff is >= 0 and <= 2;
        return valid ? settings : null;
    }

    /// <summary>
    /// The longest delay before retry <paramref name="retry"/> (1 for the second attempt): the base delay of the
    /// backoff, capped at MaxDelayMs. Jitter draws from [base / 2, base], so this is the worst case either way.
    /// The same formula as the runtime's <c>RetryBackoff</c>.
    /// </summary>
    public double LongestDelayMs(int retry)
    {
        double milliseconds = Backoff switch
        {
            0 => DelayMs,
            1 => (double)DelayMs * retry,
            _ => DelayMs * (double)(1L << Math.Min(retry - 1, 62)),
        };

        return Math.Min(milliseconds, MaxDelayMs);
    }

    /// <summary>The shortest delay before retry <paramref name="retry"/>: half the longest with jitter, the longest without.</summary>
    public double ShortestDelayMs(int retry) => Jitter ? LongestDelayMs(retry) / 2 : LongestDelayMs(retry);
}
