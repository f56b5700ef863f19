using System;
using Resilience.Generators;
using Resilience.Shared;

namespace Resilience.Analyzers;

/// <summary>The values of a [Retry] that decide its timing, read against their rules.</summary>
internal sealed class RetrySettings
{
    private RetrySettings(int maxAttempts, int delayMs, int maxDelayMs, BackoffKind backoff, bool jitter)
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

    public BackoffKind Backoff { get; }

    public bool Jitter { get; }

    /// <summary>
    /// The settings of <paramref name="retry"/>; null when a value is out of its range, which the generator
    /// reports as an error (RES0004): a warning computed from it would only add noise.
    /// </summary>
    public static RetrySettings? From(AttributeReader retry)
    {
        var settings = new RetrySettings(
            retry.Read(RetryRules.MaxAttempts),
            retry.Read(RetryRules.DelayMs),
            retry.Read(RetryRules.MaxDelayMs),
            retry.Read(RetryRules.Backoff),
            retry.Read(RetryRules.Jitter));
        bool valid = RetryRules.MaxAttempts.Allows(settings.MaxAttempts)
            && RetryRules.DelayMs.Allows(settings.DelayMs)
            && RetryRules.MaxDelayMs.Allows(settings.MaxDelayMs)
            && RetryRules.DelayWithinMaximum(settings.DelayMs, settings.MaxDelayMs)
            && RetryRules.Backoff.Allows(settings.Backoff);
        return valid ? settings : null;
    }

    /// <summary>
    /// The longest delay before retry <paramref name="retry"/> (1 for the second attempt): the base delay of the
    /// backoff, capped at MaxDelayMs. Jitter only shortens it, so this is the worst case either way.
    /// </summary>
    public double LongestDelayMs(int retry) => BackoffFormula.BaseDelayMilliseconds(Backoff, retry, DelayMs, MaxDelayMs);

    /// <summary>
    /// The sum of the longest delays before retries <paramref name="first"/> to <paramref name="last"/>, worked out
    /// rather than walked: linear delays may grow for billions of retries before they reach their cap. Exact: each
    /// delay is a whole number of milliseconds under 2^31, and there are fewer than 2^31 of them.
    /// </summary>
    public long LongestDelaysMs(int first, int last)
    {
        long sum = 0;
        switch (Backoff)
        {
            case BackoffKind.Exponential:
                // At the cap within 63 retries: DelayMs × 2^62 is beyond any.
                while (DelayMs > 0 && first <= last && LongestDelayMs(first) < MaxDelayMs)
                {
                    sum += (long)LongestDelayMs(first++);
                }

                break;
            case BackoffKind.Linear when DelayMs > 0:
                // DelayMs × n up to the last retry whose delay is within the cap.
                int growingLast = Math.Min(last, MaxDelayMs / DelayMs);
                if (first <= growingLast)
                {
                    long a = first, b = growingLast, count = b - a + 1;
                    // One of a + b and the count is even; halving it first keeps the product within a long.
                    long halfSum = (a + b) % 2 == 0 ? (a + b) / 2 * count : (a + b) * (count / 2);
                    sum += DelayMs * halfSum;
                    first = growingLast + 1;
                }

                break;
        }

        // From here on every delay is the same: the cap, DelayMs for constant delays under it, or 0.
        return first <= last ? sum + ((long)(last - first + 1) * (long)LongestDelayMs(first)) : sum;
    }

    /// <summary>The shortest delay before retry <paramref name="retry"/>: the jitter's floor of the longest, or the longest without jitter.</summary>
    public double ShortestDelayMs(int retry) => BackoffFormula.ShortestMilliseconds(LongestDelayMs(retry), Jitter);
}
