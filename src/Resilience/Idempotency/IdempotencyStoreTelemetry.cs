using System;
using System.Collections.Generic;

namespace Resilience;

/// <summary>
/// What an <see cref="IIdempotencyStore"/> shared by several processes reports about itself on the <c>Resilience</c>
/// meter, for the events only the store sees: a key it decided on this process's own state because the shared store
/// could not be reached, and a claim another process took while this one still ran the key. The Redis package's store
/// reports both; a store of your own can too. Thread-safe; nothing is measured while nobody listens.
/// </summary>
public static class IdempotencyStoreTelemetry
{
    /// <summary>
    /// The store claimed a key, or kept its result, in this process only, because the shared store was missing, slow
    /// or unreachable: a repeat that lands on another process may run the key again. Counted on
    /// <c>resilience.distributed.fallbacks</c> with the kind <c>idempotency</c>.
    /// </summary>
    /// <param name="policy">The policy the key belongs to, as the store was given it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    public static void RecordDecidedLocally(string policy)
    {
        if (policy is null)
        {
            throw new ArgumentNullException(nameof(policy));
        }

        ResilienceMetrics.RecordDistributedFallback(new KeyValuePair<string, object?>(ResilienceMetrics.PolicyTag, policy), "idempotency");
    }

    /// <summary>
    /// The store found the claim of a key this process still runs taken by another process, or the key's result
    /// stored by another process: the key ran, or may have run, twice. Counted on
    /// <c>resilience.idempotency.lost_claims</c>; alert on any.
    /// </summary>
    /// <param name="policy">The policy the key belongs to, as the store was given it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    public static void RecordClaimLost(string policy)
    {
        if (policy is null)
        {
            throw new ArgumentNullException(nameof(policy));
        }

        if (ResilienceMetrics.IdempotencyLostClaims.Enabled)
        {
            ResilienceMetrics.IdempotencyLostClaims.Add(1, new KeyValuePair<string, object?>(ResilienceMetrics.PolicyTag, policy));
        }
    }
}
