using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.Redis;

/// <summary>
/// Healthy while policies marked <c>Distributed</c> share their state; Degraded while they decide locally: no distributed
/// store is registered, or Redis cannot be reached (or failed an operation within the last retry interval). Its data:
/// the store's description, Redis' failed operations (<c>failures</c>) and the idempotency claims found taken by another
/// instance while this one still ran their key (<c>lostIdempotencyClaims</c>).
/// </summary>
internal sealed class RedisResilienceHealthCheck : IHealthCheck
{
    private readonly ResilienceRegistry _registry;

    public RedisResilienceHealthCheck(ResilienceRegistry registry) => _registry = registry;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IDistributedResilienceStore? store = _registry.DistributedStore;
        if (store is null)
        {
            IReadOnlyList<string> local = _registry.DistributedPoliciesRunningLocally;
            return Task.FromResult(local.Count == 0
                ? HealthCheckResult.Healthy("No policy is marked Distributed, and no distributed store is registered.")
                : HealthCheckResult.Degraded(
                    $"No distributed store is registered, so {string.Join(", ", local)} count on this instance only. " +
                    "Call ResilienceRegistry.Default.UseRedis(connection) or services.AddResilienceRedis(...)."));
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["store"] = store.Description };
        if (store is RedisResilienceStore redis)
        {
            data["failures"] = redis.FailureCount;
        }

        if (_registry.IdempotencyStore is RedisIdempotencyStore idempotency)
        {
            data["lostIdempotencyClaims"] = idempotency.LostClaimCount;
        }

        return Task.FromResult(store.IsAvailable
            ? HealthCheckResult.Healthy($"{store.Description} is reachable; distributed policies share their state.", data)
            : HealthCheckResult.Degraded($"{store.Description} cannot be reached; distributed policies decide on their local state until it can.", data: data));
    }
}
