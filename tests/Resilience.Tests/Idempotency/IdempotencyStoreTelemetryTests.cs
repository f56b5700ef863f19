using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static Resilience.Tests.Telemetry.TelemetryTesting;

namespace Resilience.Tests.Idempotency;

/// <summary>What a shared idempotency store reports about itself, on the <c>Resilience</c> meter.</summary>
public sealed class IdempotencyStoreTelemetryTests
{
    private readonly string _policy = UniqueName("idempotency-store");

    [Fact]
    public void A_key_decided_locally_is_a_distributed_fallback_of_the_idempotency_kind()
    {
        using MetricCollector<long> fallbacks = Collect<long>("resilience.distributed.fallbacks");

        IdempotencyStoreTelemetry.RecordDecidedLocally(_policy);
        IdempotencyStoreTelemetry.RecordDecidedLocally(_policy);

        IReadOnlyList<CollectedMeasurement<long>> measured = fallbacks.For(_policy);
        Assert.Equal(2, measured.Count);
        Assert.All(measured, m => Assert.Equal(1, m.Value));
        Assert.All(measured, m => Assert.Equal("idempotency", m.Tag("resilience.policy.kind")));
    }

    [Fact]
    public void A_lost_claim_is_counted_under_its_policy()
    {
        using MetricCollector<long> lost = Collect<long>("resilience.idempotency.lost_claims");

        IdempotencyStoreTelemetry.RecordClaimLost(_policy);

        Assert.Equal(1, Assert.Single(lost.For(_policy)).Value);
    }

    [Fact]
    public void A_null_policy_is_refused_with_its_name()
    {
        Assert.Throws<ArgumentNullException>("policy", () => IdempotencyStoreTelemetry.RecordDecidedLocally(null!));
        Assert.Throws<ArgumentNullException>("policy", () => IdempotencyStoreTelemetry.RecordClaimLost(null!));
    }
}
