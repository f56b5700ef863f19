using System;

namespace Resilience;

/// <summary>Thrown when a bulkhead rejects a call: every slot is taken and the queue is full, or the wait for a slot ran out.</summary>
public sealed class BulkheadRejectedException : ResilienceRejectedException
{
    /// <summary>Creates the rejection of a call by a full bulkhead.</summary>
    /// <param name="policyName">The bulkhead's name.</param>
    /// <param name="maxConcurrency">The bulkhead's concurrency limit.</param>
    /// <param name="maxQueue">The bulkhead's queue limit.</param>
    /// <param name="maxWaitMs">The longest a queued call waits, in milliseconds; 0 when it waits for its turn however long it takes.</param>
    public BulkheadRejectedException(string policyName, int maxConcurrency, int maxQueue, int maxWaitMs = 0)
        : base(CreateMessage(policyName, maxConcurrency, maxQueue, maxWaitMs), policyName, retryAfter: null)
    {
        MaxConcurrency = maxConcurrency;
        MaxQueue = maxQueue;
    }

    /// <summary>The bulkhead's concurrency limit.</summary>
    public int MaxConcurrency { get; }

    /// <summary>The bulkhead's queue limit.</summary>
    public int MaxQueue { get; }

    private static string CreateMessage(string policyName, int maxConcurrency, int maxQueue, int maxWaitMs)
    {
        string slots = $"The bulkhead '{policyName}' rejected the call: all {maxConcurrency} slot(s) are in use";
        if (maxQueue == 0)
        {
            return slots + " and it has no queue.";
        }

        return maxWaitMs > 0
            ? slots + $", and either its queue of {maxQueue} was full or the call waited longer than {maxWaitMs} ms for a slot."
            : slots + $" and its queue of {maxQueue} is full.";
    }
}
