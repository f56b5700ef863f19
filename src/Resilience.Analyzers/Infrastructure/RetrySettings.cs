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

    /// <summary>The shortest delay before retry <paramref name="retry"/>: the jitter's floor of the longest, or the longest without jitter.</summary>
    public double ShortestDelayMs(int retry) => BackoffFormula.ShortestMilliseconds(LongestDelayMs(retry), Jitter);
}
