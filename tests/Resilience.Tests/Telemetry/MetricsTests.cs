using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using static Resilience.Tests.Telemetry.TelemetryTesting;

namespace Resilience.Tests.Telemetry;

/// <summary>The instruments the policies record on (the observable ones, which read the default registry, are in <see cref="ObservableInstrumentTests"/>).</summary>
public sealed class MetricsTests
{
    private const string StateTag = "resilience.circuit_breaker.state";

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public MetricsTests() => _registry = TestSupport.CreateRegistry(out _clock);

    // ---- circuit breaker --------------------------------------------------------------------------

    [Fact]
    public void Every_change_of_circuit_state_is_counted_once_with_the_state_entered()
    {
        using MetricCollector<long> transitions = Collect<long>("resilience.circuit_breaker.transitions");
        string name = UniqueName("transitions");
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });

        breaker.Fail();                             // closed → open
        _clock.Advance(TimeSpan.FromSeconds(1));
        breaker.Succeed();                          // open → half-open; the good probe: half-open → closed
        breaker.Isolate();                          // closed → isolated
        breaker.Isolate();                          // no change
        breaker.Reset();                            // isolated → closed
        breaker.Reset();                            // no change

        IReadOnlyList<CollectedMeasurement<long>> measured = transitions.For(name);
        Assert.Equal(new object[] { "open", "half_open", "closed", "isolated", "closed" }, measured.Select(m => m.Tag(StateTag)));
        Assert.All(measured, m => Assert.Equal(1, m.Value));
    }

    [Fact]
    public void Slow_calls_are_counted_with_the_breakers_name()
    {
        using MetricCollector<long> slowCalls = Collect<long>("resilience.circuit_breaker.slow_calls");
        string name = UniqueName("slow");
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { SlowCallDurationMs = 100, MinimumThroughput = 100 });

        for (int i = 0; i < 3; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            _clock.Advance(TimeSpan.FromMilliseconds(i == 1 ? 50 : 150));
            breaker.RecordSuccess(permit);
        }

        IReadOnlyList<CollectedMeasurement<long>> measured = slowCalls.For(name);
        Assert.Equal(2, measured.Sum(m => m.Value));
    }

    [Fact]
    public void Retries_a_budget_refuses_are_counted_with_its_name()
    {
        using MetricCollector<long> refusals = Collect<long>("resilience.retry.budget_refusals");
        string name = UniqueName("budget");
        RetryBudgetState budget = _registry.GetOrAddRetryBudget(name, new RetryBudgetOptions { MaxRetryRatio = 0.1 });

        for (int i = 0; i < 103; i++)
        {
            budget.TryRetry();
        }

        Assert.Equal(3, refusals.For(name).Sum(m => m.Value));
    }

    [Fact]
    public void A_breaker_that_only_lets_calls_through_records_no_transition()
    {
        using MetricCollector<long> transitions = Collect<long>("resilience.circuit_breaker.transitions");
        using MetricCollector<long> rejections = Collect<long>("resilience.circuit_breaker.rejections");
        string name = UniqueName("quiet");
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { FailureThreshold = 3 });

        breaker.Succeed(5);
        breaker.Fail(2);
        breaker.Succeed(1);

        Assert.Empty(transitions.For(name));
        Assert.Empty(rejections.For(name));
    }

    [Fact]
    public void Calls_rejected_by_an_open_a_busy_half_open_or_an_isolated_breaker_are_counted()
    {
        using MetricCollector<long> rejections = Collect<long>("resilience.circuit_breaker.rejections");
        string name = UniqueName("breaker-rejections");
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        breaker.Fail();

        Assert.False(breaker.TryEnter(out _));              // open
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        Assert.False(breaker.TryEnter(out _));              // half-open, its one probe in flight
        breaker.RecordSuccess(probe);
        Assert.Equal(2, rejections.For(name).Count); // the probe itself was let through
        breaker.Isolate();
        Assert.False(breaker.TryEnter(out _));              // isolated

        IReadOnlyList<CollectedMeasurement<long>> measured = rejections.For(name);
        Assert.Equal(3, measured.Count);
        Assert.All(measured, m => Assert.Equal(1, m.Value));
        Assert.Equal(3, breaker.GetMetrics().Rejections);
    }

    // ---- bulkhead ---------------------------------------------------------------------------------

    [Fact]
    public async Task A_bulkhead_rejection_for_a_full_queue_is_counted()
    {
        using MetricCollector<long> rejections = Collect<long>("resilience.bulkhead.rejections");
        string name = UniqueName("bulkhead-full");
        BulkheadState bulkhead = _registry.GetOrAddBulkhead(name, new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });
        Assert.True(bulkhead.TryEnter());
        Task<bool> queued = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Assert.Empty(rejections.For(name));

        Assert.False(bulkhead.EnterAsync(CancellationToken.None).ResultNow());
        Assert.False(bulkhead.Enter(CancellationToken.None));

        IReadOnlyList<CollectedMeasurement<long>> measured = rejections.For(name);
        Assert.Equal(2, measured.Count);
        Assert.All(measured, m => Assert.Equal(1, m.Value));
        Assert.False(queued.IsCompleted);
        bulkhead.Release();
        Assert.True(await queued.Guarded());
        bulkhead.Release();
    }

    [Fact]
    public async Task A_bulkhead_rejection_when_the_wait_runs_out_is_counted_when_it_runs_out()
    {
        using MetricCollector<long> rejections = Collect<long>("resilience.bulkhead.rejections");
        string name = UniqueName("bulkhead-wait");
        BulkheadState bulkhead = _registry.GetOrAddBulkhead(name, new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWaitMs = 100 });
        Assert.True(bulkhead.TryEnter());
        Task<bool> waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Empty(rejections.For(name));

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await waiting.Guarded());
        CollectedMeasurement<long> measured = Assert.Single(rejections.For(name));
        Assert.Equal(1, measured.Value);
    }

    [Fact]
    public async Task A_queued_call_cancelled_by_its_caller_is_not_counted_as_a_bulkhead_rejection()
    {
        using MetricCollector<long> rejections = Collect<long>("resilience.bulkhead.rejections");
        string name = UniqueName("bulkhead-cancel");
        BulkheadState bulkhead = _registry.GetOrAddBulkhead(name, new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });
        using var caller = new CancellationTokenSource();
        Assert.True(bulkhead.TryEnter());
        Task<bool> waiting = bulkhead.EnterAsync(caller.Token).AsTask();

        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestSupport.HangGuard));
        Assert.Empty(rejections.For(name));
    }

    // ---- rate limit -------------------------------------------------------------------------------

    [Fact]
    public void A_rate_limit_rejection_is_counted_for_asynchronous_and_synchronous_callers()
    {
        using MetricCollector<long> rejections = Collect<long>("resilience.rate_limit.rejections");
        string name = UniqueName("rate-limit");
        RateLimiterState limiter = _registry.GetOrAddRateLimiter(name, new RateLimitOptions { Permits = 1, WindowMs = 60_000 });
        Assert.True(limiter.AcquireAsync(CancellationToken.None).ResultNow());
        Assert.Empty(rejections.For(name));

        Assert.False(limiter.AcquireAsync(CancellationToken.None).ResultNow());
        Assert.False(limiter.Acquire(CancellationToken.None));

        IReadOnlyList<CollectedMeasurement<long>> measured = rejections.For(name);
        Assert.Equal(2, measured.Count);
        Assert.All(measured, m => Assert.Equal(1, m.Value));
    }

    [Fact]
    public void TryAcquire_finding_no_permit_is_not_counted_as_a_rejection()
    {
        using MetricCollector<long> rejections = Collect<long>("resilience.rate_limit.rejections");
        string name = UniqueName("try-acquire");
        RateLimiterState limiter = _registry.GetOrAddRateLimiter(name, new RateLimitOptions { Permits = 1, WindowMs = 60_000 });

        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());

        Assert.Empty(rejections.For(name));
    }

    [Fact]
    public void A_rejection_by_a_limit_kept_per_key_is_counted_under_the_limits_name()
    {
        using MetricCollector<long> rejections = Collect<long>("resilience.rate_limit.rejections");
        string name = UniqueName("per-key");
        KeyedRateLimiterState<string> limiter = _registry.GetOrAddKeyedRateLimiter<string>(name, new RateLimitOptions { Permits = 1, WindowMs = 60_000 });
        Assert.True(limiter.GetPartition("alice").AcquireAsync(CancellationToken.None).ResultNow());
        Assert.True(limiter.GetPartition("bob").AcquireAsync(CancellationToken.None).ResultNow());

        Assert.False(limiter.GetPartition("alice").AcquireAsync(CancellationToken.None).ResultNow());

        Assert.Single(rejections.For(name));
    }

    // ---- per method -------------------------------------------------------------------------------

    [Fact]
    public void A_success_is_counted_and_timed_with_the_policy_method_and_outcome()
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        using MetricCollector<double> durations = Collect<double>("resilience.call.duration");
        string policy = UniqueName("method");
        MethodTelemetry telemetry = _registry.GetTelemetry(policy, "Shop.Client.Get");

        long started = telemetry.Start();
        telemetry.RecordSuccess(started);

        CollectedMeasurement<long> call = Assert.Single(calls.For(policy));
        Assert.Equal(1, call.Value);
        Assert.Equal("Shop.Client.Get", call.Tag("resilience.method"));
        Assert.Equal("success", call.Tag("resilience.outcome"));
        CollectedMeasurement<double> duration = Assert.Single(durations.For(policy));
        Assert.True(duration.Value >= 0, $"The duration is {duration.Value}.");
        Assert.Equal("Shop.Client.Get", duration.Tag("resilience.method"));
        Assert.Equal("success", duration.Tag("resilience.outcome"));
    }

    [Fact]
    public void A_fallback_is_counted_as_fallback()
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        string policy = UniqueName("fallback");
        MethodTelemetry telemetry = _registry.GetTelemetry(policy, "Shop.Client.Get");

        telemetry.RecordFallback(telemetry.Start());

        Assert.Equal("fallback", Assert.Single(calls.For(policy)).Tag("resilience.outcome"));
    }

    public static TheoryData<string, bool, string> Failures => new()
    {
        { "caller-cancelled", true, "canceled" },
        { "cancelled-by-someone-else", false, "failure" },
        { "rejected", false, "rejected" },
        { "rejected-while-cancelled", true, "rejected" },
        { "timed-out", false, "failure" },
        { "failed", false, "failure" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_is_counted_as_canceled_rejected_or_failure_and_the_filter_lets_it_go_on(string error, bool callerCancelled, string outcome)
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        string policy = UniqueName("failure");
        MethodTelemetry telemetry = _registry.GetTelemetry(policy, "Shop.Client.Get");
        using var caller = new CancellationTokenSource();
        if (callerCancelled)
        {
            caller.Cancel();
        }

        Exception exception = error switch
        {
            "caller-cancelled" => new OperationCanceledException(caller.Token),
            "cancelled-by-someone-else" => new OperationCanceledException(),
            "rejected" or "rejected-while-cancelled" => new BrokenCircuitException(policy, CircuitState.Open, TimeSpan.FromSeconds(1)),
            "timed-out" => new TimeoutRejectedException(policy, TimeSpan.FromSeconds(1), TimeoutScope.PerAttempt, new OperationCanceledException()),
            _ => new IOException("down"),
        };

        Assert.False(telemetry.RecordFailure(telemetry.Start(), exception, caller.Token));

        CollectedMeasurement<long> call = Assert.Single(calls.For(policy));
        Assert.Equal(outcome, call.Tag("resilience.outcome"));
        Assert.Equal("Shop.Client.Get", call.Tag("resilience.method"));
    }

    [Fact]
    public void A_retry_is_counted_with_the_exception_type()
    {
        using MetricCollector<long> retries = Collect<long>("resilience.retry.attempts");
        string policy = UniqueName("retry");
        MethodTelemetry telemetry = _registry.GetTelemetry(policy, "Shop.Client.Get");

        telemetry.RecordRetry(0, 1, TimeSpan.FromMilliseconds(200), new IOException("down"));
        telemetry.RecordRetry(0, 2, TimeSpan.FromMilliseconds(400), new TimeoutRejectedException(policy, TimeSpan.FromSeconds(1), TimeoutScope.PerAttempt, null));

        IReadOnlyList<CollectedMeasurement<long>> measured = retries.For(policy);
        Assert.Equal(new object[] { "System.IO.IOException", "Resilience.TimeoutRejectedException" }, measured.Select(m => m.Tag("error.type")));
        Assert.All(measured, m => Assert.Equal(1, m.Value));
        Assert.All(measured, m => Assert.Equal("Shop.Client.Get", m.Tag("resilience.method")));
    }

    [Fact]
    public void Each_retry_records_its_delay_in_seconds()
    {
        using MetricCollector<double> delays = Collect<double>("resilience.retry.delay");
        string policy = UniqueName("retry-delay");
        MethodTelemetry telemetry = _registry.GetTelemetry(policy, "Shop.Client.Get");

        long token = telemetry.RecordRetry(telemetry.Start(), 1, TimeSpan.FromMilliseconds(200), new IOException("down"));
        telemetry.RecordRetryOnResult(token, 2, TimeSpan.FromSeconds(30), "bad result");

        IReadOnlyList<CollectedMeasurement<double>> measured = delays.For(policy);
        Assert.Equal(new[] { 0.2, 30.0 }, measured.Select(m => m.Value));
        Assert.All(measured, m => Assert.Equal("Shop.Client.Get", m.Tag("resilience.method")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_retried_call_is_counted_once_among_the_retried_calls_with_its_outcome(bool durationListened)
    {
        using MetricCollector<long> retried = Collect<long>("resilience.retry.calls");
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        using MetricCollector<double> durations = durationListened ? Collect<double>("resilience.call.duration") : null!;
        string policy = UniqueName("retried-calls");
        MethodTelemetry telemetry = _registry.GetTelemetry(policy, "Shop.Client.Get");

        // Retried twice, then succeeded.
        long started = telemetry.Start();
        Assert.Equal(durationListened, started != 0);
        _clock.Advance(TimeSpan.FromSeconds(3));
        long token = telemetry.RecordRetry(started, 1, TimeSpan.FromSeconds(1), new IOException("down"));
        token = telemetry.RecordRetry(token, 2, TimeSpan.FromSeconds(2), new IOException("down"));
        telemetry.RecordSuccess(token);

        // Retried once, then failed; and a call that was never retried.
        telemetry.RecordFailure(telemetry.RecordRetry(telemetry.Start(), 1, TimeSpan.Zero, new IOException("down")), new IOException("down"), CancellationToken.None);
        telemetry.RecordSuccess(telemetry.Start());

        Assert.Equal(new object[] { "success", "failure" }, retried.For(policy).Select(m => m.Tag("resilience.outcome")));
        Assert.Equal(new object[] { "success", "failure", "success" }, calls.For(policy).Select(m => m.Tag("resilience.outcome")));
        if (durationListened)
        {
            // The retried call's duration is still measured from its start, through the marked token.
            Assert.Equal(3.0, durations.For(policy)[0].Value);
        }
    }

    [Fact]
    public void A_timeout_is_counted_with_its_scope()
    {
        using MetricCollector<long> timeouts = Collect<long>("resilience.timeouts");
        string policy = UniqueName("timeout");
        MethodTelemetry telemetry = _registry.GetTelemetry(policy, "Shop.Client.Get");

        telemetry.RecordTimeout(TimeSpan.FromSeconds(1), TimeoutScope.PerAttempt);
        telemetry.RecordTimeout(TimeSpan.FromSeconds(5), TimeoutScope.Total);

        IReadOnlyList<CollectedMeasurement<long>> measured = timeouts.For(policy);
        Assert.Equal(new object[] { "per_attempt", "total" }, measured.Select(m => m.Tag("resilience.timeout.scope")));
        Assert.All(measured, m => Assert.Equal("Shop.Client.Get", m.Tag("resilience.method")));
    }

    [Fact]
    public void GetTelemetry_returns_one_recorder_per_policy_and_method()
    {
        MethodTelemetry first = _registry.GetTelemetry("payments", "Shop.Client.Get");

        Assert.Same(first, _registry.GetTelemetry("payments", "Shop.Client.Get"));
        Assert.NotSame(first, _registry.GetTelemetry("payments", "Shop.Client.Put"));
        Assert.NotSame(first, _registry.GetTelemetry("orders", "Shop.Client.Get"));
        Assert.Equal("payments", first.PolicyName);
        Assert.Equal("Shop.Client.Get", first.MethodName);
    }
}

/// <summary>The observable instruments, which report every state of <see cref="ResilienceRegistry.Default"/> when collected.</summary>
[Collection(DefaultRegistryCollection.Name)]
public sealed class ObservableInstrumentTests : IDisposable
{
    private const string StateTagName = "resilience.circuit_breaker.state";

    private readonly FakeTimeProvider _clock = new();

    public ObservableInstrumentTests() => ResilienceRegistry.Default.TimeProvider = _clock;

    public void Dispose() => ResilienceRegistry.Default.TimeProvider = TimeProvider.System;

    [Fact]
    public void The_state_gauge_reports_closed_open_half_open_and_isolated_as_0_1_2_and_3()
    {
        using MetricCollector<int> gauge = Collect<int>("resilience.circuit_breaker.state");
        string name = UniqueName("gauge");
        CircuitBreakerState breaker = ResilienceRegistry.Default.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        Assert.Equal(0, Observe(gauge, name));

        breaker.Fail();
        Assert.Equal(1, Observe(gauge, name));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        Assert.Equal(2, Observe(gauge, name));

        breaker.Isolate();
        Assert.Equal(3, Observe(gauge, name));

        breaker.RecordIgnored(probe);
        breaker.Reset();
        Assert.Equal(0, Observe(gauge, name));
    }

    [Fact]
    public void The_state_gauge_reports_every_breaker_separately()
    {
        using MetricCollector<int> gauge = Collect<int>("resilience.circuit_breaker.state");
        string open = UniqueName("gauge-open");
        string closed = UniqueName("gauge-closed");
        ResilienceRegistry.Default.GetOrAddCircuitBreaker(open, new CircuitBreakerOptions { FailureThreshold = 1 }).Fail();
        ResilienceRegistry.Default.GetOrAddCircuitBreaker(closed, new CircuitBreakerOptions { FailureThreshold = 1 });

        gauge.RecordObservableInstruments();

        Assert.Equal(1, Assert.Single(gauge.For(open)).Value);
        Assert.Equal(0, Assert.Single(gauge.For(closed)).Value);
    }

    [Fact]
    public async Task The_bulkhead_observables_report_the_calls_running_and_waiting()
    {
        using MetricCollector<int> active = Collect<int>("resilience.bulkhead.active");
        using MetricCollector<int> queued = Collect<int>("resilience.bulkhead.queued");
        string name = UniqueName("bulkhead");
        BulkheadState bulkhead = ResilienceRegistry.Default.GetOrAddBulkhead(name, new BulkheadOptions { MaxConcurrency = 2, MaxQueue = 2 });
        Assert.Equal((0, 0), (Observe(active, name), Observe(queued, name)));

        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());
        Task<bool> waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Assert.Equal((2, 1), (Observe(active, name), Observe(queued, name)));

        bulkhead.Release();
        Assert.True(await waiting.Guarded());
        Assert.Equal((2, 0), (Observe(active, name), Observe(queued, name)));

        bulkhead.Release();
        bulkhead.Release();
        Assert.Equal((0, 0), (Observe(active, name), Observe(queued, name)));
    }

    [Fact]
    public void A_keyed_breaker_reports_the_state_of_its_partitions_that_are_not_closed_with_their_key()
    {
        using MetricCollector<int> gauge = Collect<int>("resilience.circuit_breaker.state");
        string name = UniqueName("keyed-gauge");
        KeyedCircuitBreakerState<string> breaker = ResilienceRegistry.Default.GetOrAddKeyedCircuitBreaker<string>(name, new CircuitBreakerOptions { FailureThreshold = 1 });
        breaker.GetPartition("down").Fail();
        breaker.GetPartition("up").Succeed();

        gauge.RecordObservableInstruments();

        CollectedMeasurement<int> reported = Assert.Single(gauge.For(name));
        Assert.Equal(1, reported.Value);
        Assert.Equal("down", reported.Tag("resilience.circuit_breaker.key"));
    }

    [Fact]
    public void A_keyed_breaker_reports_at_most_100_partitions_by_key_and_counts_all_of_them_by_state()
    {
        using MetricCollector<int> gauge = Collect<int>("resilience.circuit_breaker.state");
        using MetricCollector<int> partitions = Collect<int>("resilience.circuit_breaker.partitions");
        string name = UniqueName("keyed-cap");
        KeyedCircuitBreakerState<int> breaker = ResilienceRegistry.Default.GetOrAddKeyedCircuitBreaker<int>(name, new CircuitBreakerOptions { FailureThreshold = 1 });
        for (int key = 0; key < 150; key++)
        {
            breaker.GetPartition(key).Fail();
        }

        breaker.GetPartition(150).Succeed();

        gauge.RecordObservableInstruments();
        partitions.RecordObservableInstruments();

        Assert.Equal(KeyedCircuitBreakerState.MaxReportedPartitions, gauge.For(name).Count);
        Dictionary<object, int> byState = partitions.For(name).ToDictionary(m => m.Tag(StateTagName)!, m => m.Value);
        Assert.Equal(150, byState["open"]);
        Assert.Equal(1, byState["closed"]);
        Assert.Equal(0, byState["half_open"]);
        Assert.Equal(0, byState["isolated"]);
    }

    [Fact]
    public void The_consecutive_failures_gauge_reports_each_breakers_current_run_of_failures()
    {
        using MetricCollector<int> gauge = Collect<int>("resilience.circuit_breaker.consecutive_failures");
        string name = UniqueName("consecutive");
        CircuitBreakerState breaker = ResilienceRegistry.Default.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { FailureThreshold = 20 });
        Assert.Equal(0, Observe(gauge, name));

        breaker.Fail(12);
        Assert.Equal(12, Observe(gauge, name));

        breaker.Succeed();
        Assert.Equal(0, Observe(gauge, name));
    }

    [Fact]
    public void The_time_in_state_counter_adds_up_the_seconds_spent_in_each_state()
    {
        using MetricCollector<double> time = Collect<double>("resilience.circuit_breaker.time_in_state");
        string name = UniqueName("time-in-state");
        CircuitBreakerState breaker = ResilienceRegistry.Default.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 30_000 });

        _clock.Advance(TimeSpan.FromSeconds(10));   // closed 10 s
        breaker.Fail();                             // → open
        _clock.Advance(TimeSpan.FromSeconds(45));   // open 45 s (the break ended after 30, no call came)
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));   // → half-open
        _clock.Advance(TimeSpan.FromSeconds(2));    // half-open 2 s
        breaker.RecordSuccess(probe);               // → closed
        _clock.Advance(TimeSpan.FromSeconds(5));    // closed 5 s more

        time.RecordObservableInstruments();
        Dictionary<object, double> byState = time.For(name).ToDictionary(m => m.Tag(StateTagName)!, m => m.Value);

        Assert.Equal(15.0, byState["closed"]);
        Assert.Equal(45.0, byState["open"]);
        Assert.Equal(2.0, byState["half_open"]);
        Assert.Equal(0.0, byState["isolated"]);
        Assert.Equal(TimeSpan.FromSeconds(5), breaker.GetMetrics().TimeInState);
    }

    /// <summary>Collects the observable instrument once and returns the value it reported for <paramref name="policy"/>.</summary>
    private static int Observe(MetricCollector<int> collector, string policy)
    {
        collector.Clear();
        collector.RecordObservableInstruments();
        return Assert.Single(collector.For(policy)).Value;
    }
}
