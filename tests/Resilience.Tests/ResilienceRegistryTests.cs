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

    [Fact]
    public void Every_kind_of_policy_is_listed_in_name_order()
    {
        _registry.GetOrAddRetryBudget("budget.b", new RetryBudgetOptions { MaxRetryRatio = 0.1 });
        _registry.GetOrAddRetryBudget("budget.a", new RetryBudgetOptions { MaxRetryRatio = 0.1 });
        _registry.GetOrAddKeyedCircuitBreaker<string>("keyed.b", new CircuitBreakerOptions());
        _registry.GetOrAddKeyedCircuitBreaker<string>("keyed.a", new CircuitBreakerOptions());
        _registry.GetOrAddIdempotency("idempotent.b", new IdempotencyOptions());
        _registry.GetOrAddIdempotency("idempotent.a", new IdempotencyOptions());
        _registry.GetOrAddCachedFallback<string, int>("cached.b", "cached.b", new CachedFallbackOptions(), static key => key);
        _registry.GetOrAddCachedFallback<string, int>("cached.a", "cached.a", new CachedFallbackOptions(), static key => key);

        Assert.Equal(["budget.a", "budget.b"], _registry.RetryBudgets.Select(b => b.Name));
        Assert.Equal(["keyed.a", "keyed.b"], _registry.KeyedCircuitBreakers.Select(b => b.Name));
        Assert.Equal(["idempotent.a", "idempotent.b"], _registry.IdempotencyStates.Select(s => s.Name));
        Assert.Equal(["cached.a", "cached.b"], _registry.CachedFallbacks.Select(c => c.Name));
    }

    [Fact]
    public void PolicyNames_has_the_name_of_every_kind_of_policy_once_in_order()
    {
        _registry.GetOrAddCircuitBreaker("f.breaker", new CircuitBreakerOptions());
        _registry.GetOrAddKeyedCircuitBreaker<string>("e.keyed-breaker", new CircuitBreakerOptions());
        _registry.GetOrAddBulkhead("d.bulkhead", new BulkheadOptions());
        _registry.GetOrAddRateLimiter("c.limit", new RateLimitOptions { Permits = 1, WindowMs = 1_000 });
        _registry.GetOrAddKeyedRateLimiter<string>("b.keyed-limit", new RateLimitOptions { Permits = 1, WindowMs = 1_000 });
        _registry.GetOrAddRetryBudget("a.budget", new RetryBudgetOptions { MaxRetryRatio = 0.1 });
        _registry.GetOrAddIdempotency("0.idempotent", new IdempotencyOptions());
        _registry.GetOrAddBulkhead("f.breaker", new BulkheadOptions()); // a second policy of one name

        Assert.Equal(["0.idempotent", "a.budget", "b.keyed-limit", "c.limit", "d.bulkhead", "e.keyed-breaker", "f.breaker"], _registry.PolicyNames);
    }

    [Fact]
    public void KeyedCircuitBreaker_of_an_unknown_name_names_the_keyed_breakers_known_or_says_none_are()
    {
        var none = Assert.Throws<KeyNotFoundException>(() => _registry.KeyedCircuitBreaker("hosts"));
        Assert.Contains("No circuit breaker kept per [CircuitBreakerKey] is named 'hosts'", none.Message, StringComparison.Ordinal);
        Assert.Contains("the names known so far are: none yet.", none.Message, StringComparison.Ordinal);

        _registry.GetOrAddKeyedCircuitBreaker<string>("zones", new CircuitBreakerOptions());
        _registry.GetOrAddKeyedCircuitBreaker<string>("regions", new CircuitBreakerOptions());
        var known = Assert.Throws<KeyNotFoundException>(() => _registry.KeyedCircuitBreaker("hosts"));
        Assert.Contains("the names known so far are: 'regions', 'zones'.", known.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyedCircuitBreaker_of_a_breaker_without_a_key_says_how_to_read_it()
    {
        _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions());

        var error = Assert.Throws<KeyNotFoundException>(() => _registry.KeyedCircuitBreaker("payments"));

        Assert.Contains("'payments' is a circuit breaker without a [CircuitBreakerKey]: read it with CircuitBreaker(\"payments\").", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_used_with_and_without_a_key_is_an_error_naming_the_kind_and_the_key_attribute()
    {
        _registry.GetOrAddKeyedRateLimiter<string>("per-user", new RateLimitOptions { Permits = 1, WindowMs = 1_000 });
        _registry.GetOrAddKeyedCircuitBreaker<string>("per-host", new CircuitBreakerOptions());

        var limit = Assert.Throws<InvalidOperationException>(() => _registry.GetOrAddRateLimiter("per-user", new RateLimitOptions { Permits = 1, WindowMs = 1_000 }));
        var breaker = Assert.Throws<InvalidOperationException>(() => _registry.GetOrAddCircuitBreaker("per-host", new CircuitBreakerOptions()));

        Assert.Contains("rate limit", limit.Message, StringComparison.Ordinal);
        Assert.Contains("RateLimitKey", limit.Message, StringComparison.Ordinal);
        Assert.Contains("circuit breaker", breaker.Message, StringComparison.Ordinal);
        Assert.Contains("CircuitBreakerKey", breaker.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_lists_the_problems_of_several_names_in_name_order()
    {
        var error = Assert.Throws<ArgumentException>(() => _registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["zulu"] = new() { MaxAttempts = 0 },
            ["alpha"] = new() { MaxAttempts = 0 },
        }));

        int alpha = error.Message.IndexOf("alpha:MaxAttempts", StringComparison.Ordinal);
        int zulu = error.Message.IndexOf("zulu:MaxAttempts", StringComparison.Ordinal);
        Assert.True(alpha >= 0 && zulu > alpha, error.Message);
    }

    [Fact]
    public void A_removed_listener_is_no_longer_told_and_the_others_still_are()
    {
        var first = new Telemetry.RecordingListener();
        var second = new Telemetry.RecordingListener();
        IDisposable firstRegistration = _registry.AddListener(first);
        IDisposable secondRegistration = _registry.AddListener(second);
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("listened", new BulkheadOptions { MaxConcurrency = 1 });
        Assert.True(bulkhead.TryEnter());

        firstRegistration.Dispose();
        Assert.False(bulkhead.Enter(CancellationToken.None));

        Assert.Empty(first.Events);
        Assert.Single(second.Rejections);
        secondRegistration.Dispose();
        Assert.False(_registry.HasListeners);
    }

    [Fact]
    public async Task A_synchronous_delay_waits_for_the_registrys_clock_and_a_zero_delay_starts_no_timer()
    {
        var clock = new CountingClock();
        var registry = new ResilienceRegistry { TimeProvider = clock };

        registry.Delay(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(0, clock.Created);

        Task delayed = Task.Run(() => registry.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None));
        TestSupport.SpinUntil(() => clock.Created == 1, "the delay started");
        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(delayed.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await delayed.WaitAsync(TestSupport.HangGuard);
    }
}
