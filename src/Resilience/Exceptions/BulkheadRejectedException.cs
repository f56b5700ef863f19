using System;

namespace Resilience;

/// <summary>Thrown when a bulkhead rejects a call: every slot is taken and the queue is full, or the wait for a slot ran out.</summary>
public sealed class BulkheadRejectedException : ResilienceRejectedException
{
    /// <summary>Creates the rejection of a call by a full bulkhead.</summary>
    /// <param name="policyName">The bulkhead's name.</param>
    /// <param name="maxConcurrency">The bulkhead's concurrency limit.</param>
    /// <param name="maxQueue">The bulkhead's queue limit.</param>
    /// <param name="waitedTooLong">True when the call waited in the queue and its wait ran out.</param>
    public BulkheadRejectedException(string policyName, int maxConcurrency, int maxQueue, bool waitedTooLong = false)
        : base(waitedTooLong
                ? $"The bulkhead '{policyName}' rejected the call: it waited in the queue longer than its maximum wait for one of {maxConcurrency} slot(s)."
                : $"The bulkhead '{policyName}' rejected the call: all {maxConcurrency} slot(s) are in use and the queue of {maxQueue} is full.",
            policyName, retryAfter: null)
    {
        MaxConcurrency = maxConcurrency;
        MaxQueue = maxQueue;
    }

    /// <summary>The bulkhead's concurrency limit.</summary>
    public int MaxConcurrency { get; }

    /// <summary>The bulkhead's queue limit.</summary>
    public int MaxQueue { get; }
}
