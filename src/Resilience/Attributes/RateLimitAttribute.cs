using System;

namespace Resilience;

/// <summary>
/// Limits how often the method runs: at most <see cref="Permits"/> calls per <see cref="WindowMs"/>.
/// </summary>
/// <remarks>
/// A call over the limit is rejected with <see cref="RateLimitRejectedException"/>, whose
/// <see cref="ResilienceRejectedException.RetryAfter"/> says when a permit will be free (or it goes to
/// the <see cref="FallbackAttribute"/> method without throwing), unless it can wait in a queue of
/// <see cref="QueueLimit"/> calls. Put <see cref="RateLimitKeyAttribute"/> on a parameter to keep one
/// limit per value of it (per user, per IP address). Methods naming the same <see cref="Name"/> share one limit.
/// On the system clock, time is measured in the system's ticks (1 to 16 ms), the resolution of its timers.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RateLimitAttribute : Attribute
{
    /// <summary>Limits the call rate.</summary>
    /// <param name="permits">Calls allowed per window; at least 1.</param>
    /// <param name="windowMs">The window in milliseconds; at least 1.</param>
    public RateLimitAttribute(int permits, int windowMs)
    {
        Permits = permits;
        WindowMs = windowMs;
    }

    /// <summary>Calls allowed per window; at least 1.</summary>
    public int Permits { get; }

    /// <summary>The window in milliseconds; at least 1.</summary>
    public int WindowMs { get; }

    /// <summary>How permits are counted. Default <see cref="RateLimitAlgorithm.TokenBucket"/>.</summary>
    public RateLimitAlgorithm Algorithm { get; set; } = RateLimitRules.DefaultAlgorithm;

    /// <summary>Calls allowed to wait for a permit when none is free; at least 0. Default 0: reject at once.</summary>
    public int QueueLimit { get; set; } = RateLimitRules.DefaultQueueLimit;

    /// <summary>
    /// True: every instance of the service shares the limit (and each key's limit) through the distributed store that
    /// <c>ResilienceRegistry.Default.UseRedis(...)</c> registers; the permits are counted atomically on the store's clock.
    /// Without a store the limit counts on this instance, and says so once. Default false.
    /// </summary>
    public bool Distributed { get; set; } = RateLimitRules.DefaultDistributed;

    /// <summary>
    /// For a <see cref="Distributed"/> limit of thousands of calls per second: how many permits this instance takes from
    /// the store in one round trip and hands out itself. 0 or 1 (the default 0): one round trip per call, exact across
    /// instances. Larger: one round trip per batch, trading an over-admission of at most a batch and a quarter per
    /// instance (a batch and the permits carried into it from the one before) in any window, none for a fixed window;
    /// at most <c>Permits</c>.
    /// </summary>
    public int DistributedBatch { get; set; } = RateLimitRules.DefaultDistributedBatch;

    /// <summary>The limit's name; methods naming the same limit share its permits. Default: <c>Namespace.Type.Method</c>.</summary>
    public string? Name { get; set; }
}
