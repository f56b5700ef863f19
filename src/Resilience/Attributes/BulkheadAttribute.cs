using System;

namespace Resilience;

/// <summary>
/// Limits how many calls run at once, so that one slow dependency cannot take every thread or connection.
/// </summary>
/// <remarks>
/// Up to <see cref="MaxConcurrency"/> calls run; up to <see cref="MaxQueue"/> more wait for a slot, in
/// order, for at most <see cref="MaxWaitMs"/>; any further call is rejected at once with
/// <see cref="BulkheadRejectedException"/> (or sent to the <see cref="FallbackAttribute"/> method without
/// throwing). A waiting call honours its cancellation token. A rejection is not a circuit-breaker failure.
/// Methods naming the same <see cref="Name"/> share one bulkhead.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class BulkheadAttribute : Attribute
{
    /// <summary>Limits concurrent calls.</summary>
    /// <param name="maxConcurrency">Calls allowed to run at once; at least 1.</param>
    public BulkheadAttribute(int maxConcurrency) => MaxConcurrency = maxConcurrency;

    /// <summary>Calls allowed to run at once; at least 1.</summary>
    public int MaxConcurrency { get; }

    /// <summary>Calls allowed to wait for a slot when all are taken; at least 0. Default 0: reject at once.</summary>
    public int MaxQueue { get; set; } = BulkheadRules.DefaultMaxQueue;

    /// <summary>
    /// The longest a queued call waits for its slot, in milliseconds, before it is rejected; at least 0.
    /// Default 0: a queued call waits for its turn however long it takes (its cancellation token still ends the wait).
    /// </summary>
    public int MaxWaitMs { get; set; } = BulkheadRules.DefaultMaxWaitMs;

    /// <summary>The bulkhead's name; methods naming the same bulkhead share its slots. Default: <c>Namespace.Type.Method</c>.</summary>
    public string? Name { get; set; }
}
