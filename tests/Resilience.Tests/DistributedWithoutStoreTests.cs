using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>Policies marked Distributed while no distributed store is registered: they run locally, and say so once.</summary>
public sealed class DistributedWithoutStoreTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public DistributedWithoutStoreTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public async Task A_distributed_rate_limit_counts_locally_and_the_listeners_are_told_once()
    {
        var listener = new FallbackListener();
        using IDisposable registration = _registry.AddListener(listener);
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("shared", new RateLimitOptions { Permits = 2, WindowMs = 1_000, Distributed = true });

        Assert.True(await limiter.AcquireAsync(CancellationToken.None));
        Assert.True(limiter.TryAcquire());
        Assert.False(await limiter.AcquireAsync(CancellationToken.None));

        DistributedFallbackEventArgs told = Assert.Single(listener.Events);
        Assert.Equal("shared", told.PolicyName);
        Assert.Equal(PolicyKind.RateLimit, told.Kind);
        Assert.StartsWith("The rate limit 'shared' is marked Distributed, but no distributed store is registered", told.Reason, StringComparison.Ordinal);
        Assert.Contains("UseRedis", told.Reason);
        Assert.Equal(new[] { "shared" }, _registry.DistributedPoliciesRunningLocally);
    }

    [Fact]
    public async Task A_local_decision_is_told_once_to_each_listener_whenever_it_is_added()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("early", new RateLimitOptions { Permits = 5, WindowMs = 1_000, Distributed = true });
        Assert.True(await limiter.AcquireAsync(CancellationToken.None));

        // A listener of the application's own comes first (metrics, say); the host's logging listener later, as the
        // host starts: both must hear of it, each once, however many calls decide locally before and after.
        var first = new FallbackListener();
        using IDisposable firstRegistration = _registry.AddListener(first);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None));
        var second = new FallbackListener();
        using IDisposable secondRegistration = _registry.AddListener(second);
        Assert.True(limiter.TryAcquire());

        Assert.Equal("early", Assert.Single(first.Events).PolicyName);
        Assert.Equal("early", Assert.Single(second.Events).PolicyName);
    }

    [Fact]
    public async Task A_local_decision_made_before_any_listener_is_not_told_once_a_store_is_registered()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("early", new RateLimitOptions { Permits = 5, WindowMs = 1_000, Distributed = true });
        Assert.True(await limiter.AcquireAsync(CancellationToken.None));
        _registry.UseDistributedStore(new FakeDistributedStore(_clock));

        var listener = new FallbackListener();
        using IDisposable registration = _registry.AddListener(listener);

        Assert.Empty(listener.Events);
    }

    [Fact]
    public void A_distributed_breaker_opens_locally_and_says_so()
    {
        var listener = new FallbackListener();
        using IDisposable registration = _registry.AddListener(listener);
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, Distributed = true });

        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit);

        Assert.Equal(CircuitState.Open, breaker.State);
        DistributedFallbackEventArgs told = Assert.Single(listener.Events);
        Assert.Equal(PolicyKind.CircuitBreaker, told.Kind);
        Assert.StartsWith("The circuit breaker 'payments' is marked Distributed", told.Reason, StringComparison.Ordinal);
        Assert.Equal(new[] { "payments" }, _registry.DistributedPoliciesRunningLocally);
    }

    [Fact]
    public void The_policies_running_locally_are_every_distributed_one_in_name_order_and_none_once_a_store_is_registered()
    {
        _registry.GetOrAddCircuitBreaker("zeta", new CircuitBreakerOptions { Distributed = true });
        _registry.GetOrAddCircuitBreaker("local", new CircuitBreakerOptions());
        _registry.GetOrAddRateLimiter("alpha", new RateLimitOptions { Permits = 1, WindowMs = 1_000, Distributed = true });
        _registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { Distributed = true }).GetPartition("a.example");

        Assert.Equal(["alpha", "hosts", "zeta"], _registry.DistributedPoliciesRunningLocally.Distinct());

        _registry.UseDistributedStore(new FakeDistributedStore(_clock));
        Assert.Empty(_registry.DistributedPoliciesRunningLocally);
    }

    [Fact]
    public async Task Each_local_decision_is_counted_on_the_fallback_metric()
    {
        using var fallbacks = new MetricCollector<long>(null, ResilienceMetrics.MeterName, "resilience.distributed.fallbacks");
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("counted-" + Guid.NewGuid(), new RateLimitOptions { Permits = 5, WindowMs = 1_000, Distributed = true });

        for (int i = 0; i < 3; i++)
        {
            Assert.True(await limiter.AcquireAsync(CancellationToken.None));
        }

        IReadOnlyList<CollectedMeasurement<long>> measurements = fallbacks.GetMeasurementSnapshot()
            .Where(m => Equals(m.Tags[ResilienceMetrics.PolicyTag], limiter.Name)).ToList();
        Assert.Equal(3, measurements.Sum(m => m.Value));
        Assert.All(measurements, m => Assert.Equal("rate_limit", m.Tags[ResilienceMetrics.KindTag]));

        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("counted-" + Guid.NewGuid(), new CircuitBreakerOptions { FailureThreshold = 1, Distributed = true });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit);
        CollectedMeasurement<long> opened = Assert.Single(fallbacks.GetMeasurementSnapshot(), m => Equals(m.Tags[ResilienceMetrics.PolicyTag], breaker.Name));
        Assert.Equal("circuit_breaker", opened.Tags[ResilienceMetrics.KindTag]);
    }

    [Fact]
    public void Distributed_can_be_switched_on_by_name_through_Configure()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("configured", new RateLimitOptions { Permits = 1, WindowMs = 1_000 });
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("configured", new CircuitBreakerOptions());
        Assert.Empty(_registry.DistributedPoliciesRunningLocally);

        _registry.Configure(new Dictionary<string, PolicySettings> { ["configured"] = new() { Distributed = true } });

        Assert.True(limiter.Options.Distributed);
        Assert.True(breaker.Options.Distributed);
        Assert.Equal(new[] { "configured" }, _registry.DistributedPoliciesRunningLocally);
    }

    private sealed class FallbackListener : ResilienceListener
    {
        public List<DistributedFallbackEventArgs> Events { get; } = new();

        public override void OnDistributedFallback(DistributedFallbackEventArgs e) => Events.Add(e);
    }
}
