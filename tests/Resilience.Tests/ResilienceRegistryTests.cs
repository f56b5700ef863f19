using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

public sealed class ResilienceRegistryTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public ResilienceRegistryTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void GetOrAdd_returns_the_same_instance_for_the_same_name()
    {
        Assert.Same(_registry.GetOrAddCircuitBreaker("a", new CircuitBreakerOptions()), _registry.GetOrAddCircuitBreaker("a", new CircuitBreakerOptions()));
        Assert.Same(_registry.GetOrAddBulkhead("a", new BulkheadOptions()), _registry.GetOrAddBulkhead("a", new BulkheadOptions()));
        Assert.Same(_registry.GetOrAddRateLimiter("a", new RateLimitOptions()), _registry.GetOrAddRateLimiter("a", new RateLimitOptions()));
        Assert.Same(_registry.GetOrAddKeyedRateLimiter<int>("k", new RateLimitOptions()), _registry.GetOrAddKeyedRateLimiter<int>("k", new RateLimitOptions()));
        Assert.NotSame(_registry.GetOrAddCircuitBreaker("a", new CircuitBreakerOptions()), _registry.GetOrAddCircuitBreaker("b", new CircuitBreakerOptions()));
    }

    [Fact]
    public void An_existing_state_keeps_the_settings_it_was_created_with()
    {
        _registry.GetOrAddCircuitBreaker("a", new CircuitBreakerOptions { FailureThreshold = 2 });

        CircuitBreakerState again = _registry.GetOrAddCircuitBreaker("a", new CircuitBreakerOptions { FailureThreshold = 9 });

        Assert.Equal(2, again.Options.FailureThreshold);
    }

    [Fact]
    public void Names_are_case_sensitive()
        => Assert.NotSame(_registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions()), _registry.GetOrAddCircuitBreaker("Payments", new CircuitBreakerOptions()));

    [Fact]
    public void CircuitBreaker_returns_the_breaker_of_that_name()
    {
        CircuitBreakerState created = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions());

        Assert.Same(created, _registry.CircuitBreaker("payments"));
        Assert.Equal("payments", created.Name);
    }

    [Fact]
    public void CircuitBreaker_of_an_unknown_name_throws_naming_it_and_the_known_ones()
    {
        _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions());
        _registry.GetOrAddCircuitBreaker("orders", new CircuitBreakerOptions());

        var error = Assert.Throws<KeyNotFoundException>(() => _registry.CircuitBreaker("paymnets"));

        Assert.Contains("'paymnets'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'orders', 'payments'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CircuitBreaker_of_an_unknown_name_in_an_empty_registry_says_none_are_known()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => _registry.CircuitBreaker("payments"));

        Assert.Contains("'payments'", error.Message, StringComparison.Ordinal);
        Assert.Contains("none yet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryGetCircuitBreaker_finds_only_existing_breakers()
    {
        CircuitBreakerState created = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions());

        Assert.True(_registry.TryGetCircuitBreaker("payments", out CircuitBreakerState? found));
        Assert.Same(created, found);
        Assert.False(_registry.TryGetCircuitBreaker("orders", out CircuitBreakerState? missing));
        Assert.Null(missing);
    }

    [Fact]
    public void CircuitBreakers_lists_every_breaker_in_name_order()
    {
        foreach (string name in new[] { "redis", "Postgres", "youtube", "auth" })
        {
            _registry.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions());
        }

        Assert.Equal(["Postgres", "auth", "redis", "youtube"], _registry.CircuitBreakers.Select(b => b.Name));
    }

    [Fact]
    public void Bulkheads_lists_every_bulkhead_in_name_order()
    {
        foreach (string name in new[] { "search", "db", "images" })
        {
            _registry.GetOrAddBulkhead(name, new BulkheadOptions());
        }

        Assert.Equal(["db", "images", "search"], _registry.Bulkheads.Select(b => b.Name));
    }

    [Fact]
    public void RateLimiters_lists_every_unkeyed_rate_limit_in_name_order()
    {
        _registry.GetOrAddRateLimiter("search", new RateLimitOptions());
        _registry.GetOrAddRateLimiter("api", new RateLimitOptions());
        _registry.GetOrAddKeyedRateLimiter<string>("per-user", new RateLimitOptions());

        Assert.Equal(["api", "search"], _registry.RateLimiters.Select(l => l.Name));
    }

    [Fact]
    public void Reset_closes_breakers_and_clears_their_metrics()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit);
        Assert.False(breaker.TryEnter(out _));

        _registry.Reset();

        Assert.Equal(CircuitState.Closed, breaker.State);
        CircuitBreakerMetrics metrics = breaker.GetMetrics();
        Assert.Equal(0, metrics.Calls);
        Assert.Equal(0, metrics.Failures);
        Assert.Equal(0, metrics.Rejections);
        Assert.Equal(0, metrics.ConsecutiveFailures);
        Assert.Null(metrics.LastFailureTime);
        Assert.True(breaker.TryEnter(out _));
    }

    [Fact]
    public void Reset_closes_isolated_breakers()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions());
        breaker.Isolate();

        _registry.Reset();

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Reset_refills_rate_limits()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("api", new RateLimitOptions { Permits = 1, WindowMs = 60_000 });
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.AcquireAsync(CancellationToken.None).ResultNow());

        _registry.Reset();

        Assert.Equal(0, limiter.RejectionCount);
        Assert.True(limiter.TryAcquire());
    }

    [Fact]
    public void Reset_drops_the_partitions_of_keyed_rate_limits()
    {
        KeyedRateLimiterState<string> limiter = _registry.GetOrAddKeyedRateLimiter<string>("per-user", new RateLimitOptions { Permits = 1, WindowMs = 60_000 });
        Assert.True(limiter.GetPartition("alice").TryAcquire());

        _registry.Reset();

        Assert.Equal(0, limiter.PartitionCount);
        Assert.True(limiter.GetPartition("alice").TryAcquire());
    }

    [Fact]
    public void Reset_clears_bulkhead_rejection_counts()
    {
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1 });
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.Enter(CancellationToken.None));

        _registry.Reset();

        Assert.Equal(0, bulkhead.RejectionCount);
        Assert.Equal(1, bulkhead.ActiveCount); // the call in flight keeps its slot
    }

    [Fact]
    public void Reset_restores_the_system_clock()
    {
        Assert.Same(_clock, _registry.TimeProvider);

        _registry.Reset();

        Assert.Same(TimeProvider.System, _registry.TimeProvider);
    }

    [Fact]
    public void Setting_the_clock_to_null_throws()
    {
        Assert.Throws<ArgumentNullException>(() => _registry.TimeProvider = null!);

        Assert.Same(_clock, _registry.TimeProvider);
    }

    [Fact]
    public void Default_is_one_registry()
        => Assert.Same(ResilienceRegistry.Default, ResilienceRegistry.Default);

    [Fact]
    public void A_name_must_not_be_null_or_empty()
    {
        Assert.Throws<ArgumentNullException>(() => _registry.GetOrAddCircuitBreaker(null!, new CircuitBreakerOptions()));
        Assert.Throws<ArgumentException>(() => _registry.GetOrAddBulkhead(string.Empty, new BulkheadOptions()));
        Assert.Throws<ArgumentNullException>(() => _registry.TryGetCircuitBreaker(null!, out _));
    }

    [Fact]
    public async Task An_idempotency_store_registered_is_used_and_null_goes_back_to_a_new_in_memory_one()
    {
        IIdempotencyStore first = _registry.IdempotencyStore;
        Assert.IsType<InMemoryIdempotencyStore>(first);
        Assert.Same(first, _registry.IdempotencyStore);
        await first.SaveAsync("p", "k", "1"u8.ToArray(), TimeSpan.FromHours(1), CancellationToken.None);

        var other = new InMemoryIdempotencyStore();
        _registry.UseIdempotencyStore(other);
        Assert.Same(other, _registry.IdempotencyStore);

        _registry.UseIdempotencyStore(null);
        IIdempotencyStore fresh = _registry.IdempotencyStore;
        Assert.IsType<InMemoryIdempotencyStore>(fresh);
        Assert.NotSame(first, fresh);
        Assert.NotSame(other, fresh);
        Assert.False(((InMemoryIdempotencyStore)fresh).TryGet("p", "k", out _));
    }
}
