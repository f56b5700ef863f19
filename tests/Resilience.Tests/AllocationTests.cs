namespace Resilience.Tests;

/// <summary>
/// The happy path of every primitive allocates nothing. <see cref="GC.GetAllocatedBytesForCurrentThread"/> counts
/// only this thread's allocations, so other tests running at the same time do not disturb it; the collection
/// still runs alone so that nothing else competes for the thread pool or the JIT while it measures.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class AllocationTests
{
    private const int Iterations = 10_000;

    // The system clock: its timers are re-armed in place, whereas a fake clock's bookkeeping allocates.
    private readonly ResilienceRegistry _registry = new();

    [Fact]
    public void A_closed_breaker_in_consecutive_mode_allocates_nothing()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("consecutive", new CircuitBreakerOptions());

        Assert.Equal(0, AllocatedBytes(() =>
        {
            if (!breaker.TryEnter(out CircuitBreakerPermit permit))
            {
                throw new InvalidOperationException("rejected");
            }

            breaker.RecordSuccess(permit);
        }));
    }

    [Fact]
    public void A_closed_breaker_in_ratio_mode_allocates_nothing()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("ratio", new CircuitBreakerOptions { FailureRatio = 0.5, SamplingDurationMs = 10 });

        Assert.Equal(0, AllocatedBytes(() =>
        {
            if (!breaker.TryEnter(out CircuitBreakerPermit permit))
            {
                throw new InvalidOperationException("rejected");
            }

            breaker.RecordSuccess(permit);
        }));
    }

    [Fact]
    public void Entering_a_bulkhead_with_a_free_slot_and_releasing_it_allocates_nothing()
    {
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("bulkhead", new BulkheadOptions { MaxConcurrency = 2, MaxQueue = 2 });

        Assert.Equal(0, AllocatedBytes(() =>
        {
            ValueTask<bool> entering = bulkhead.EnterAsync(CancellationToken.None);
            if (!entering.IsCompletedSuccessfully || !entering.Result)
            {
                throw new InvalidOperationException("rejected");
            }

            bulkhead.Release();
        }));
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void Acquiring_a_free_permit_allocates_nothing(RateLimitAlgorithm algorithm)
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("limiter", new RateLimitOptions { Algorithm = algorithm, Permits = int.MaxValue, WindowMs = 60_000, QueueLimit = 1 });

        Assert.Equal(0, AllocatedBytes(() =>
        {
            ValueTask<bool> acquiring = limiter.AcquireAsync(CancellationToken.None);
            if (!acquiring.IsCompletedSuccessfully || !acquiring.Result)
            {
                throw new InvalidOperationException("rejected");
            }
        }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_call_turned_away_by_a_full_queue_allocates_nothing(int queueLimit)
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("full-" + queueLimit, new RateLimitOptions { Permits = 1, WindowMs = 3_600_000, QueueLimit = queueLimit });
        Assert.True(limiter.TryAcquire());
        var queued = new List<Task<bool>>();
        for (int i = 0; i < queueLimit; i++)
        {
            queued.Add(limiter.AcquireAsync(CancellationToken.None).AsTask());
        }

        Assert.Equal(0, AllocatedBytes(() =>
        {
            ValueTask<bool> acquiring = limiter.AcquireAsync(CancellationToken.None);
            if (!acquiring.IsCompleted || acquiring.Result)
            {
                throw new InvalidOperationException("not turned away");
            }
        }));
        Assert.All(queued, t => Assert.False(t.IsCompleted));
    }

    [Fact]
    public void Finding_an_existing_partition_allocates_nothing()
    {
        KeyedRateLimiterState<string> byUser = _registry.GetOrAddKeyedRateLimiter<string>("by-user", new RateLimitOptions { Permits = int.MaxValue });
        KeyedRateLimiterState<int> byTenant = _registry.GetOrAddKeyedRateLimiter<int>("by-tenant", new RateLimitOptions { Permits = int.MaxValue });
        string user = string.Concat("user-", "42");

        Assert.Equal(0, AllocatedBytes(() =>
        {
            if (!byUser.GetPartition(user).TryAcquire() || !byTenant.GetPartition(42).TryAcquire())
            {
                throw new InvalidOperationException("rejected");
            }
        }));
    }

    [Fact]
    public void A_call_through_an_existing_partition_of_a_keyed_breaker_allocates_nothing()
    {
        KeyedCircuitBreakerState<string> byHost = _registry.GetOrAddKeyedCircuitBreaker<string>("by-host", new CircuitBreakerOptions());
        KeyedCircuitBreakerState<int> byShard = _registry.GetOrAddKeyedCircuitBreaker<int>("by-shard", new CircuitBreakerOptions());
        string host = string.Concat("https://api.example.com", ":443");

        Assert.Equal(0, AllocatedBytes(() =>
        {
            CircuitBreakerState hostBreaker = byHost.GetPartition(host);
            CircuitBreakerState shardBreaker = byShard.GetPartition(7);
            if (!hostBreaker.TryEnter(out CircuitBreakerPermit hostPermit) || !shardBreaker.TryEnter(out CircuitBreakerPermit shardPermit))
            {
                throw new InvalidOperationException("rejected");
            }

            hostBreaker.RecordSuccess(hostPermit);
            shardBreaker.RecordSuccess(shardPermit);
        }));
    }

    [Fact]
    public void Finding_the_breaker_of_a_requests_host_allocates_nothing()
    {
        KeyedCircuitBreakerState<HttpAuthority> byAuthority = _registry.GetOrAddKeyedCircuitBreaker<HttpAuthority>("by-authority", new CircuitBreakerOptions());
        using var request = new System.Net.Http.HttpRequestMessage(System.Net.Http.HttpMethod.Get, "https://api.example.com/orders/7?expand=lines");

        Assert.Equal(0, AllocatedBytes(() =>
        {
            CircuitBreakerState breaker = byAuthority.GetPartition(HttpAuthority.Of(request));
            if (!breaker.TryEnter(out CircuitBreakerPermit permit))
            {
                throw new InvalidOperationException("rejected");
            }

            breaker.RecordSuccess(permit);
        }));
        Assert.Equal(1, byAuthority.PartitionCount);
    }

    [Fact]
    public void Starting_and_returning_a_timeout_allocates_nothing()
    {
        Assert.Equal(0, AllocatedBytes(() =>
        {
            TimeoutCancellationSource timeout = _registry.StartTimeout(TimeSpan.FromHours(1), CancellationToken.None);
            timeout.Return();
        }));
    }

    [Fact]
    public void Starting_and_returning_a_timeout_linked_to_a_callers_token_allocates_nothing()
    {
        using var caller = new CancellationTokenSource();
        CancellationToken token = caller.Token;

        Assert.Equal(0, AllocatedBytes(() =>
        {
            TimeoutCancellationSource timeout = _registry.StartTimeout(TimeSpan.FromHours(1), token);
            timeout.Return();
        }));
        Assert.False(token.IsCancellationRequested);
    }

    [Fact]
    public void A_jittered_retry_delay_allocates_nothing()
    {
        Assert.Equal(0, AllocatedBytes(() =>
        {
            if (RetryBackoff.GetDelay(BackoffKind.Exponential, 3, 200, 30_000, jitter: true) > TimeSpan.FromSeconds(1))
            {
                throw new InvalidOperationException("out of range");
            }
        }));
    }

    [Fact]
    public void The_default_registrys_policies_allocate_nothing_inside_a_scope_or_outside_once_scopes_exist()
    {
        CircuitBreakerState breaker = ResilienceRegistry.Default.GetOrAddCircuitBreaker("allocation.scoped-breaker", new CircuitBreakerOptions());
        BulkheadState bulkhead = ResilienceRegistry.Default.GetOrAddBulkhead("allocation.scoped-bulkhead", new BulkheadOptions { MaxConcurrency = 4 });
        RateLimiterState limiter = ResilienceRegistry.Default.GetOrAddRateLimiter("allocation.scoped-limit", new RateLimitOptions { Permits = int.MaxValue });
        void Call()
        {
            if (!limiter.TryAcquire() || !breaker.TryEnter(out CircuitBreakerPermit permit) || !bulkhead.TryEnter())
            {
                throw new InvalidOperationException("rejected");
            }

            bulkhead.Release();
            breaker.RecordSuccess(permit);
        }

        using (ResilienceScope.Begin())
        {
            Assert.Equal(0, AllocatedBytes(Call));
        }

        Assert.Equal(0, AllocatedBytes(Call));
    }

    private static long AllocatedBytes(Action operation) => TestSupport.AllocatedBytes(operation, Iterations);
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation";
}
