using Microsoft.Extensions.Time.Testing;
using Resilience.Tests.Telemetry;

namespace Resilience.Tests.Configuration;

public sealed class ConfigureTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public ConfigureTests() => _registry = TestSupport.CreateRegistry(out _clock);

    // ---- circuit breaker --------------------------------------------------------------------------

    [Fact]
    public void A_lower_failure_threshold_applies_to_a_running_breaker_which_keeps_its_count()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 5 });
        breaker.Fail(2);

        Configure(("payments", new PolicySettings { FailureThreshold = 3 }));
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, breaker.GetMetrics().ConsecutiveFailures);
        breaker.Fail(1);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(3, breaker.Options.FailureThreshold);
    }

    [Fact]
    public void A_higher_failure_threshold_keeps_a_running_breaker_closed_longer()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 2 });

        Configure(("payments", new PolicySettings { FailureThreshold = 4 }));
        breaker.Fail(3);
        Assert.Equal(CircuitState.Closed, breaker.State);
        breaker.Fail(1);

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void An_open_breaker_keeps_its_state_when_its_settings_change()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1 });
        breaker.Fail(1);

        Configure(("payments", new PolicySettings { FailureThreshold = 10 }));

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out _));
        Assert.Equal(1, breaker.GetMetrics().Failures);
    }

    [Fact]
    public void A_shorter_break_applies_at_once_to_an_open_breaker()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 60_000 });
        breaker.Fail(1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(breaker.TryEnter(out _));

        Configure(("payments", new PolicySettings { BreakDurationMs = 1_000 }));

        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        breaker.RecordSuccess(probe);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_new_break_duration_changes_the_RetryAfter_of_an_open_breaker()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 60_000 });
        breaker.Fail(1);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Configure(("payments", new PolicySettings { BreakDurationMs = 5_000 }));

        Assert.Equal(TimeSpan.FromSeconds(4), breaker.CreateRejection().RetryAfter);
        _clock.Advance(TimeSpan.FromMilliseconds(3_999));
        Assert.False(breaker.TryEnter(out _));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(breaker.TryEnter(out _));
    }

    [Fact]
    public void A_failure_ratio_given_by_configuration_turns_a_consecutive_breaker_into_a_ratio_breaker()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 100 });

        Configure(("payments", new PolicySettings { FailureRatio = 0.5, MinimumThroughput = 4, SamplingDurationMs = 10_000 }));
        breaker.Succeed(2);
        breaker.Fail(1);
        Assert.Equal(CircuitState.Closed, breaker.State);
        breaker.Fail(1);

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Only_the_values_given_replace_the_attributes()
    {
        var attribute = new CircuitBreakerOptions { FailureThreshold = 3, BreakDurationMs = 7_000, SuccessThreshold = 2, HalfOpenMaxCalls = 2 };
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", attribute);

        Configure(("payments", new PolicySettings { FailureThreshold = 9 }));

        CircuitBreakerOptions options = breaker.Options;
        Assert.Equal(9, options.FailureThreshold);
        Assert.Equal(7_000, options.BreakDurationMs);
        Assert.Equal(2, options.SuccessThreshold);
        Assert.Equal(2, options.HalfOpenMaxCalls);
    }

    // ---- bulkhead ---------------------------------------------------------------------------------

    [Fact]
    public async Task A_higher_MaxConcurrency_admits_queued_calls_at_once()
    {
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 2 });
        Assert.True(bulkhead.TryEnter());
        Task<bool> first = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Task<bool> second = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Assert.Equal(2, bulkhead.QueuedCount);

        Configure(("db", new PolicySettings { MaxConcurrency = 2 }));

        Assert.True(await first.Guarded());
        Assert.False(second.IsCompleted);
        Assert.Equal(2, bulkhead.ActiveCount);
        Assert.Equal(1, bulkhead.QueuedCount);

        Configure(("db", new PolicySettings { MaxConcurrency = 3 }));

        Assert.True(await second.Guarded());
        Assert.Equal(3, bulkhead.ActiveCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task A_queued_synchronous_caller_is_admitted_when_MaxConcurrency_is_raised()
    {
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });
        Assert.True(bulkhead.TryEnter());
        Task<bool> blocked = Task.Run(() => bulkhead.Enter(CancellationToken.None));
        TestSupport.SpinUntil(() => bulkhead.QueuedCount == 1, "the synchronous caller queued");

        Configure(("db", new PolicySettings { MaxConcurrency = 2 }));

        Assert.True(await blocked.Guarded());
        Assert.Equal(2, bulkhead.ActiveCount);
    }

    [Fact]
    public void A_lower_MaxConcurrency_takes_effect_as_running_calls_finish()
    {
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 3 });
        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());

        Configure(("db", new PolicySettings { MaxConcurrency = 1 }));
        Assert.Equal(3, bulkhead.ActiveCount);

        bulkhead.Release();
        Assert.False(bulkhead.TryEnter());
        bulkhead.Release();
        Assert.False(bulkhead.TryEnter());
        bulkhead.Release();
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.TryEnter());
    }

    [Fact]
    public async Task Under_a_lowered_MaxConcurrency_a_queued_call_waits_until_the_running_ones_are_below_it()
    {
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 2, MaxQueue = 1 });
        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());
        Task<bool> waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        Configure(("db", new PolicySettings { MaxConcurrency = 1 }));
        bulkhead.Release();

        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, bulkhead.ActiveCount);
        Assert.Equal(1, bulkhead.QueuedCount);

        bulkhead.Release();

        Assert.True(await waiting.Guarded());
        Assert.Equal(1, bulkhead.ActiveCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public void A_longer_queue_given_by_configuration_is_used_by_the_next_caller()
    {
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 });
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.EnterAsync(CancellationToken.None).ResultNow());

        Configure(("db", new PolicySettings { MaxQueue = 1 }));
        ValueTask<bool> queued = bulkhead.EnterAsync(CancellationToken.None);

        Assert.False(queued.IsCompleted);
        Assert.Equal(1, bulkhead.QueuedCount);
        Assert.Equal(1, bulkhead.CreateRejection().MaxQueue);
    }

    // ---- rate limit -------------------------------------------------------------------------------

    [Fact]
    public void A_rate_limit_whose_settings_change_starts_full()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("search-api", new RateLimitOptions { Permits = 2, WindowMs = 60_000 });
        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());

        Configure(("search-api", new PolicySettings { Permits = 3 }));

        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());
    }

    [Fact]
    public void A_rate_limit_whose_settings_end_up_the_same_keeps_its_state()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("search-api", new RateLimitOptions { Permits = 2, WindowMs = 60_000 });
        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());

        Configure(("search-api", new PolicySettings { Permits = 2, WindowMs = 60_000 }));
        Assert.False(limiter.TryAcquire());

        Configure(("search-api", new PolicySettings { Permits = 5 }));
        Assert.True(limiter.TryAcquire());
        Configure(("search-api", new PolicySettings { Permits = 5 }), ("other", new PolicySettings { Permits = 1 }));

        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());
    }

    [Fact]
    public void A_new_algorithm_and_window_apply_to_a_running_rate_limit()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("search-api", new RateLimitOptions { Permits = 1, WindowMs = 60_000 });

        Configure(("search-api", new PolicySettings { Algorithm = RateLimitAlgorithm.FixedWindow, WindowMs = 1_000 }));
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(limiter.TryAcquire());
        Assert.Equal(RateLimitAlgorithm.FixedWindow, limiter.Options.Algorithm);
    }

    [Fact]
    public void A_limit_kept_per_key_applies_new_settings_to_every_partition_and_those_to_come()
    {
        KeyedRateLimiterState<string> byUser = _registry.GetOrAddKeyedRateLimiter<string>("by-user", new RateLimitOptions { Permits = 1, WindowMs = 60_000 });
        Assert.True(byUser.GetPartition("alice").TryAcquire());
        Assert.False(byUser.GetPartition("alice").TryAcquire());

        Configure(("by-user", new PolicySettings { Permits = 2 }));

        Assert.True(byUser.GetPartition("alice").TryAcquire());
        Assert.True(byUser.GetPartition("alice").TryAcquire());
        Assert.False(byUser.GetPartition("alice").TryAcquire());
        Assert.True(byUser.GetPartition("bob").TryAcquire());
        Assert.True(byUser.GetPartition("bob").TryAcquire());
        Assert.False(byUser.GetPartition("bob").TryAcquire());
        Assert.Equal(2, byUser.Options.Permits);
    }

    // ---- the table as a whole ---------------------------------------------------------------------

    [Fact]
    public void One_name_configures_its_breaker_bulkhead_and_rate_limit_each_with_its_own_settings()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("svc", new CircuitBreakerOptions { FailureThreshold = 5 });
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("svc", new BulkheadOptions { MaxConcurrency = 1 });
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("svc", new RateLimitOptions { Permits = 1 });

        Configure(("svc", new PolicySettings { FailureThreshold = 2, MaxConcurrency = 4, Permits = 7 }));

        Assert.Equal(2, breaker.Options.FailureThreshold);
        Assert.Equal(4, bulkhead.Options.MaxConcurrency);
        Assert.Equal(7, limiter.Options.Permits);
    }

    [Fact]
    public void Settings_for_another_kind_of_policy_leave_a_policy_of_the_same_name_alone()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("svc", new RateLimitOptions { Permits = 1, WindowMs = 60_000 });
        Assert.True(limiter.TryAcquire());

        Configure(("svc", new PolicySettings { MaxConcurrency = 4 }));

        Assert.False(limiter.TryAcquire());
        Assert.Equal(1, limiter.Options.Permits);
    }

    [Fact]
    public void Invalid_values_are_all_listed_and_nothing_changes()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 5 });
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1 });
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("search-api", new RateLimitOptions { Permits = 1 });
        Configure(("payments", new PolicySettings { FailureThreshold = 3 }), ("db", new PolicySettings { MaxConcurrency = 2 }));

        var error = Assert.Throws<ArgumentException>("settings", () => Configure(
            ("payments", new PolicySettings { FailureThreshold = 0, FailureRatio = 1.5, BreakDurationMs = -1 }),
            ("db", new PolicySettings { MaxConcurrency = 8, MaxQueue = -1 }),
            ("search-api", new PolicySettings { Permits = 0, Algorithm = (RateLimitAlgorithm)42 }),
            ("valid", new PolicySettings { FailureThreshold = 1 })));

        Assert.Contains("nothing was changed", error.Message, StringComparison.Ordinal);
        Assert.Contains("payments:FailureThreshold is 0; it must be at least 1.", error.Message, StringComparison.Ordinal);
        Assert.Contains("payments:FailureRatio is 1.5; it must be 0 (off) or in (0, 1].", error.Message, StringComparison.Ordinal);
        Assert.Contains("payments:BreakDurationMs is -1; it must be at least 1.", error.Message, StringComparison.Ordinal);
        Assert.Contains("db:MaxQueue is -1; it must be at least 0.", error.Message, StringComparison.Ordinal);
        Assert.Contains("search-api:Permits is 0; it must be at least 1.", error.Message, StringComparison.Ordinal);
        Assert.Contains("search-api:Algorithm is 42; it must be a RateLimitAlgorithm (TokenBucket, FixedWindow or SlidingWindow).", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MaxConcurrency", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("valid:", error.Message, StringComparison.Ordinal);

        Assert.Equal(3, breaker.Options.FailureThreshold);
        Assert.Equal(2, bulkhead.Options.MaxConcurrency);
        Assert.Equal(1, limiter.Options.Permits);
        Assert.Equal(6, _registry.GetOrAddCircuitBreaker("valid", new CircuitBreakerOptions { FailureThreshold = 6 }).Options.FailureThreshold);
    }

    [Fact]
    public void GetProblems_describes_every_value_out_of_range_and_nothing_for_valid_settings()
    {
        var settings = new PolicySettings { SuccessThreshold = 0, HalfOpenMaxCalls = 2, MaxWaitMs = -5, QueueLimit = -1 };

        Assert.Equal(
            new[]
            {
                "Resilience:payments:SuccessThreshold is 0; it must be at least 1.",
                "Resilience:payments:MaxWaitMs is -5; it must be at least 0.",
                "Resilience:payments:QueueLimit is -1; it must be at least 0.",
            },
            settings.GetProblems("Resilience:payments"));
        Assert.Empty(new PolicySettings { FailureRatio = 1, MaxQueue = 0, Permits = 1 }.GetProblems("payments"));
    }

    [Fact]
    public void An_empty_name_and_a_name_without_settings_are_reported()
    {
        var error = Assert.Throws<ArgumentException>("settings", () => _registry.Configure(new Dictionary<string, PolicySettings>
        {
            [""] = new PolicySettings { FailureThreshold = 1 },
            ["payments"] = null!,
        }));

        Assert.Contains("A policy name is empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("payments has no settings", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_rejects_null()
        => Assert.Throws<ArgumentNullException>("settings", () => _registry.Configure(null!));

    [Fact]
    public void Names_missing_from_the_next_table_go_back_to_their_attribute_settings()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 5 });
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1 });
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("search-api", new RateLimitOptions { Permits = 1, WindowMs = 60_000 });
        Configure(
            ("payments", new PolicySettings { FailureThreshold = 1 }),
            ("db", new PolicySettings { MaxConcurrency = 3 }),
            ("search-api", new PolicySettings { Permits = 10 }));

        Configure(("db", new PolicySettings { MaxConcurrency = 3 }));

        Assert.Equal(5, breaker.Options.FailureThreshold);
        Assert.Equal(3, bulkhead.Options.MaxConcurrency);
        Assert.Equal(1, limiter.Options.Permits);
        breaker.Fail(4);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Configure();

        Assert.Equal(1, bulkhead.Options.MaxConcurrency);
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.TryEnter());
    }

    [Fact]
    public void A_state_created_after_Configure_starts_with_the_configured_settings()
    {
        Configure(
            ("payments", new PolicySettings { FailureThreshold = 1, BreakDurationMs = 2_000 }),
            ("db", new PolicySettings { MaxConcurrency = 2 }),
            ("search-api", new PolicySettings { Permits = 3 }),
            ("by-user", new PolicySettings { Permits = 2 }));

        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 5, BreakDurationMs = 30_000 });
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1 });
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("search-api", new RateLimitOptions { Permits = 1, WindowMs = 60_000 });
        KeyedRateLimiterState<int> byUser = _registry.GetOrAddKeyedRateLimiter<int>("by-user", new RateLimitOptions { Permits = 1, WindowMs = 60_000 });

        breaker.Fail(1);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(TimeSpan.FromSeconds(2), breaker.CreateRejection().RetryAfter);
        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.TryEnter());
        Assert.True(limiter.TryAcquire() && limiter.TryAcquire() && limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());
        Assert.True(byUser.GetPartition(7).TryAcquire() && byUser.GetPartition(7).TryAcquire());
        Assert.False(byUser.GetPartition(7).TryAcquire());
    }

    [Fact]
    public void Configure_keeps_a_copy_of_the_table_not_the_dictionary_passed()
    {
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1 });
        var table = new Dictionary<string, PolicySettings> { ["db"] = new PolicySettings { MaxConcurrency = 2 } };
        _registry.Configure(table);

        table.Clear();
        table["later"] = new PolicySettings { MaxConcurrency = 5 };

        Assert.Equal(2, bulkhead.Options.MaxConcurrency);
        Assert.Equal(1, _registry.GetOrAddBulkhead("later", new BulkheadOptions { MaxConcurrency = 1 }).Options.MaxConcurrency);
    }

    [Fact]
    public void Reset_drops_the_configured_settings()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 5 });
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1 });
        Configure(("payments", new PolicySettings { FailureThreshold = 1 }), ("db", new PolicySettings { MaxConcurrency = 3 }), ("later", new PolicySettings { Permits = 9 }));

        _registry.Reset();

        Assert.Equal(5, breaker.Options.FailureThreshold);
        Assert.Equal(1, bulkhead.Options.MaxConcurrency);
        Assert.Equal(1, _registry.GetOrAddRateLimiter("later", new RateLimitOptions { Permits = 1 }).Options.Permits);
    }

    private void Configure(params (string Name, PolicySettings Settings)[] entries)
        => _registry.Configure(entries.ToDictionary(e => e.Name, e => e.Settings));
}
