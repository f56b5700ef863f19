using Microsoft.Extensions.Time.Testing;
using Resilience.Tests.Telemetry;

namespace Resilience.Tests;

/// <summary>
/// Inside a <see cref="ResilienceScope"/>, the policies of <see cref="ResilienceRegistry.Default"/> (held as generated code
/// holds them, in static fields) keep their state in the scope's registry; outside any scope they keep it in
/// <see cref="ResilienceRegistry.Default"/>. Every name here is used by this class only, so that its tests can run beside
/// others that use the default registry.
/// </summary>
public sealed class ResilienceScopeTests
{
    private static readonly CircuitBreakerState Breaker =
        ResilienceRegistry.Default.GetOrAddCircuitBreaker("scope-tests.breaker", new CircuitBreakerOptions { FailureThreshold = 2, BreakDurationMs = 1_000 });

    private static readonly BulkheadState Bulkhead =
        ResilienceRegistry.Default.GetOrAddBulkhead("scope-tests.bulkhead", new BulkheadOptions { MaxConcurrency = 1 });

    private static readonly RateLimiterState Limiter =
        ResilienceRegistry.Default.GetOrAddRateLimiter("scope-tests.limit", new RateLimitOptions { Permits = 1, WindowMs = 1_000 });

    private static readonly KeyedCircuitBreakerState<string> KeyedBreaker =
        ResilienceRegistry.Default.GetOrAddKeyedCircuitBreaker<string>("scope-tests.keyed-breaker", new CircuitBreakerOptions { FailureThreshold = 1 });

    private static readonly KeyedRateLimiterState<string> KeyedLimiter =
        ResilienceRegistry.Default.GetOrAddKeyedRateLimiter<string>("scope-tests.keyed-limit", new RateLimitOptions { Permits = 1, WindowMs = 1_000 });

    private static readonly CachedFallbackState<ValueTuple<string>, string> Cached =
        ResilienceRegistry.Default.GetOrAddCachedFallback<ValueTuple<string>, string>(
            "scope-tests.cached", "scope-tests.cached", new CachedFallbackOptions { DurationMs = 60_000 }, static key => CachedFallbackKey.Join(key.Item1));

    [Fact]
    public async Task Disposing_a_scope_from_a_flow_that_is_not_in_it_leaves_that_flows_scope_as_it_was()
    {
        ResilienceScope inner = await BeginNestedScopesAsync();
        Assert.Null(ResilienceScope.Current);

        inner.Dispose();

        Assert.Null(ResilienceScope.Current);

        // Both scopes were begun in an asynchronous method: its flow ended with it, and they with it.
        static async Task<ResilienceScope> BeginNestedScopesAsync()
        {
            await Task.Yield();
            ResilienceScope.Begin();
            return ResilienceScope.Begin();
        }
    }

    [Fact]
    public async Task Two_flows_in_scopes_of_their_own_do_not_see_each_others_breaker()
    {
        using var bothStarted = new Barrier(2);
        using var opened = new ManualResetEventSlim();

        // One flow opens the breaker while the other, at the same time, keeps calling through it.
        Task<CircuitState> failing = Task.Run(() =>
        {
            using ResilienceScope scope = ResilienceScope.Begin();
            bothStarted.SignalAndWait(TestSupport.HangGuard);
            Fail(Breaker, times: 2);
            opened.Set();
            Assert.False(Breaker.TryEnter(out _));
            return scope.Registry.CircuitBreaker("scope-tests.breaker").State;
        });
        Task<CircuitState> succeeding = Task.Run(() =>
        {
            using ResilienceScope scope = ResilienceScope.Begin();
            bothStarted.SignalAndWait(TestSupport.HangGuard);
            Assert.True(opened.Wait(TestSupport.HangGuard));
            Succeed(Breaker, times: 3);
            return scope.Registry.CircuitBreaker("scope-tests.breaker").State;
        });

        Assert.Equal(CircuitState.Open, await failing.Guarded());
        Assert.Equal(CircuitState.Closed, await succeeding.Guarded());
        Assert.Equal(0, ResilienceRegistry.Default.CircuitBreaker("scope-tests.breaker").GetMetrics().Calls);
    }

    [Fact]
    public void A_cached_fallback_keeps_the_results_stored_in_a_scope_in_the_scopes_registry()
    {
        using (ResilienceScope scope = ResilienceScope.Begin())
        {
            Cached.Store(new("a"), "in the scope");

            Assert.True(Cached.TryAnswer(new("a"), null, out string? answer));
            Assert.Equal("in the scope", answer);
            Assert.Equal("in the scope", Cached.TryAnswerAsync(new("a"), null, CancellationToken.None).ResultNow().Result);
            CachedFallbackState inScope = Assert.Single(scope.Registry.CachedFallbacks, c => c.Name == "scope-tests.cached");
            Assert.Equal((1, 2L), (inScope.Count, inScope.Hits));
        }

        Assert.Equal(0, Cached.Count);
        Assert.False(Cached.TryAnswer(new("a"), null, out _));
    }

    [Fact]
    public void A_scope_starts_with_every_policy_of_the_default_registry_fresh_with_its_attribute_settings()
    {
        using ResilienceScope scope = ResilienceScope.Begin();

        CircuitBreakerState breaker = scope.Registry.CircuitBreaker("scope-tests.breaker");

        Assert.NotSame(Breaker, breaker);
        Assert.Equal(2, breaker.Options.FailureThreshold);
        Assert.Contains(scope.Registry.Bulkheads, b => b.Name == "scope-tests.bulkhead");
        Assert.Contains(scope.Registry.RateLimiters, l => l.Name == "scope-tests.limit");
        Assert.True(scope.Registry.TryGetKeyedCircuitBreaker("scope-tests.keyed-breaker", out _));
        Assert.Same(scope.Registry, ResilienceRegistry.Current);
        Assert.Same(scope, ResilienceScope.Current);
    }

    [Fact]
    public void Bulkheads_and_limits_count_in_the_scope_and_the_scopes_clock_refills_them()
    {
        using ResilienceScope scope = ResilienceScope.Begin();
        var clock = new FakeTimeProvider();
        scope.Registry.TimeProvider = clock;

        Assert.True(Bulkhead.TryEnter());
        Assert.False(Bulkhead.TryEnter());
        Assert.Equal(1, scope.Registry.Bulkheads.Single(b => b.Name == "scope-tests.bulkhead").ActiveCount);
        Bulkhead.Release();

        Assert.True(Limiter.TryAcquire());
        Assert.False(Limiter.TryAcquire());
        Assert.Equal("scope-tests.limit", Limiter.CreateRejection().PolicyName);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(Limiter.TryAcquire());

        Assert.True(KeyedLimiter.GetPartition("user-1").TryAcquire());
        Assert.False(KeyedLimiter.GetPartition("user-1").TryAcquire());
        KeyedBreaker.GetPartition("tenant-1").Fail();
        Assert.Equal(CircuitState.Open, KeyedBreaker.GetPartition("tenant-1").State);

        // None of it reached the default registry.
        Assert.Equal(0, ResilienceRegistry.Default.Bulkheads.Single(b => b.Name == "scope-tests.bulkhead").ActiveCount);
        Assert.False(KeyedBreaker.TryGetPartition("tenant-1", out _));
        Assert.Equal(0, KeyedLimiter.PartitionCount);
    }

    [Fact]
    public async Task Timeouts_and_delays_of_the_default_registry_run_on_the_scopes_clock()
    {
        using ResilienceScope scope = ResilienceScope.Begin();
        var clock = new FakeTimeProvider();
        scope.Registry.TimeProvider = clock;

        // An hour: only the scope's clock can end them within the test.
        Task delay = ResilienceRegistry.Default.DelayAsync(TimeSpan.FromHours(1), CancellationToken.None);
        TimeoutCancellationSource timeout = ResilienceRegistry.Default.StartTimeout(TimeSpan.FromHours(1), CancellationToken.None);
        var blocking = Task.Run(() => ResilienceRegistry.Default.Delay(TimeSpan.FromHours(1), CancellationToken.None));
        Assert.False(delay.IsCompleted);
        Assert.False(timeout.Token.IsCancellationRequested);

        TestSupport.SpinUntil(() =>
        {
            clock.Advance(TimeSpan.FromHours(1));
            return blocking.IsCompleted;
        }, "the blocking delay ended on the scope's clock");

        Assert.True(delay.IsCompleted);
        Assert.True(timeout.HasTimedOut);
        await blocking;
        timeout.Return();
    }

    [Fact]
    public async Task Work_started_in_a_scope_keeps_it_and_disposing_goes_back_to_the_enclosing_scope()
    {
        using ResilienceScope outer = ResilienceScope.Begin();
        Task<ResilienceRegistry> started;
        using (ResilienceScope inner = ResilienceScope.Begin())
        {
            Assert.Same(inner.Registry, ResilienceRegistry.Current);
            started = Task.Run(async () =>
            {
                await Task.Yield();
                return ResilienceRegistry.Current;
            });
        }

        Assert.Same(outer.Registry, ResilienceRegistry.Current);
        Assert.NotSame(outer.Registry, await started.Guarded());
        outer.Dispose();
        Assert.Same(ResilienceRegistry.Default, ResilienceRegistry.Current);
        Assert.Null(ResilienceScope.Current);
    }

    private static void Fail(CircuitBreakerState breaker, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            breaker.RecordFailure(permit);
        }
    }

    private static void Succeed(CircuitBreakerState breaker, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            breaker.RecordSuccess(permit);
        }
    }
}

/// <summary>The pattern docs/testing.md shows for xUnit: a scope begun in the test class's constructor, disposed by its Dispose.</summary>
public sealed class ResilienceScopeInConstructorTests : IDisposable
{
    private static readonly CircuitBreakerState Breaker =
        ResilienceRegistry.Default.GetOrAddCircuitBreaker("scope-tests.constructor", new CircuitBreakerOptions { FailureThreshold = 1 });

    private readonly ResilienceScope _scope = ResilienceScope.Begin();

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task A_scope_begun_in_the_constructor_is_the_test_methods_scope()
    {
        await Task.Yield();
        Assert.Same(_scope, ResilienceScope.Current);

        Assert.True(Breaker.TryEnter(out CircuitBreakerPermit permit));
        Breaker.RecordFailure(permit);

        Assert.Equal(CircuitState.Open, _scope.Registry.CircuitBreaker("scope-tests.constructor").State);
        Assert.Equal(CircuitState.Closed, ResilienceRegistry.Default.CircuitBreaker("scope-tests.constructor").State);
    }

    [Fact]
    public void Each_test_of_the_class_has_a_scope_of_its_own()
    {
        // Whichever test runs first opened its breaker; this one starts closed.
        Assert.Same(_scope, ResilienceScope.Current);
        Assert.True(Breaker.TryEnter(out CircuitBreakerPermit permit));
        Breaker.RecordSuccess(permit);
        Assert.Equal(1, _scope.Registry.CircuitBreaker("scope-tests.constructor").GetMetrics().Calls);
    }
}
