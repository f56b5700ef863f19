using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Telemetry;

public sealed class ListenerTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;
    private readonly RecordingListener _listener = new();

    public ListenerTests()
    {
        _registry = TestSupport.CreateRegistry(out _clock);
        _registry.AddListener(_listener);
    }

    // ---- circuit state ----------------------------------------------------------------------------

    [Fact]
    public void Opening_in_consecutive_mode_reports_the_failures_and_their_share_of_the_calls_since_the_last_change()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 3, BreakDurationMs = 30_000 });
        _clock.Advance(TimeSpan.FromMinutes(1));
        DateTimeOffset now = _clock.GetUtcNow();

        breaker.Succeed();
        breaker.Fail(3);

        CircuitStateChangedEventArgs opened = Assert.Single(_listener.StateChanges);
        Assert.Equal("payments", opened.Name);
        Assert.Equal(CircuitState.Closed, opened.PreviousState);
        Assert.Equal(CircuitState.Open, opened.State);
        Assert.Equal(now, opened.Timestamp);
        Assert.Equal(3, opened.FailureCount);
        Assert.Equal(0.75, opened.ErrorRate, precision: 10);
        Assert.Equal(TimeSpan.FromSeconds(30), opened.BreakDuration);
    }

    [Fact]
    public void Opening_in_consecutive_mode_counts_only_the_run_that_opened_it_but_rates_every_call_since_the_last_change()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("ledger", new CircuitBreakerOptions { FailureThreshold = 3 });

        breaker.Fail();
        breaker.Succeed();
        breaker.Fail(3);

        CircuitStateChangedEventArgs opened = Assert.Single(_listener.StateChanges);
        Assert.Equal(3, opened.FailureCount);
        Assert.Equal(0.8, opened.ErrorRate, precision: 10);
    }

    [Fact]
    public void Opening_in_ratio_mode_reports_the_failures_and_the_error_rate_over_the_window()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker(
            "search", new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 4, SamplingDurationMs = 10_000, BreakDurationMs = 5_000 });

        breaker.Succeed();
        breaker.Fail();
        breaker.Succeed();
        Assert.Empty(_listener.StateChanges);
        breaker.Fail();

        CircuitStateChangedEventArgs opened = Assert.Single(_listener.StateChanges);
        Assert.Equal(CircuitState.Open, opened.State);
        Assert.Equal(2, opened.FailureCount);
        Assert.Equal(0.5, opened.ErrorRate, precision: 10);
        Assert.Equal(TimeSpan.FromSeconds(5), opened.BreakDuration);
    }

    [Fact]
    public void Opening_in_ratio_mode_counts_only_the_calls_still_in_the_window()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker(
            "search", new CircuitBreakerOptions { FailureRatio = 0.6, MinimumThroughput = 3, SamplingDurationMs = 10_000 });
        breaker.Succeed(5);
        _clock.Advance(TimeSpan.FromSeconds(11));

        breaker.Succeed();
        breaker.Fail(2);

        CircuitStateChangedEventArgs opened = Assert.Single(_listener.StateChanges);
        Assert.Equal(2, opened.FailureCount);
        Assert.Equal(2.0 / 3, opened.ErrorRate, precision: 10);
    }

    [Fact]
    public void A_failed_probe_reopens_the_breaker_with_the_probes_failure_alone()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 2, BreakDurationMs = 1_000 });
        breaker.Fail(2);
        _clock.Advance(TimeSpan.FromSeconds(1));

        breaker.Fail();

        Assert.Equal(
            new[] { (CircuitState.Closed, CircuitState.Open), (CircuitState.Open, CircuitState.HalfOpen), (CircuitState.HalfOpen, CircuitState.Open) },
            _listener.StateChanges.Select(e => (e.PreviousState, e.State)));
        CircuitStateChangedEventArgs reopened = _listener.StateChanges[2];
        Assert.Equal(1, reopened.FailureCount);
        Assert.Equal(1.0, reopened.ErrorRate, precision: 10);
        Assert.Equal(TimeSpan.FromSeconds(1), reopened.BreakDuration);
    }

    [Fact]
    public void Changes_other_than_opening_carry_no_failures_and_no_break_duration()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        breaker.Fail();
        _clock.Advance(TimeSpan.FromSeconds(1));
        breaker.Succeed();
        breaker.Isolate();
        breaker.Reset();

        Assert.Equal(
            new[] { CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed, CircuitState.Isolated, CircuitState.Closed },
            _listener.StateChanges.Select(e => e.State));
        Assert.All(_listener.StateChanges.Skip(1), e =>
        {
            Assert.Equal(0, e.FailureCount);
            Assert.Equal(0, e.ErrorRate);
            Assert.Null(e.BreakDuration);
        });
    }

    [Fact]
    public void The_listener_and_the_StateChanged_event_receive_the_same_arguments()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1 });
        var raised = new List<CircuitStateChangedEventArgs>();
        breaker.StateChanged += (_, e) => raised.Add(e);

        breaker.Fail();

        Assert.Same(Assert.Single(raised), Assert.Single(_listener.StateChanges));
    }

    // ---- rejections -------------------------------------------------------------------------------

    [Fact]
    public void An_open_breaker_reports_its_rejection_with_the_rest_of_the_break_as_RetryAfter()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        breaker.Fail();
        _clock.Advance(TimeSpan.FromMilliseconds(400));

        Assert.False(breaker.TryEnter(out _));

        RejectionEventArgs rejection = Assert.Single(_listener.Rejections);
        Assert.Equal("payments", rejection.PolicyName);
        Assert.Equal(PolicyKind.CircuitBreaker, rejection.Kind);
        Assert.Equal(TimeSpan.FromMilliseconds(600), rejection.RetryAfter);
    }

    [Fact]
    public void An_isolated_or_busy_half_open_breaker_reports_its_rejection_without_RetryAfter()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        breaker.Fail();
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        Assert.False(breaker.TryEnter(out _));
        breaker.RecordSuccess(probe);
        breaker.Isolate();
        Assert.False(breaker.TryEnter(out _));

        Assert.Equal(2, _listener.Rejections.Count);
        Assert.All(_listener.Rejections, r =>
        {
            Assert.Equal(PolicyKind.CircuitBreaker, r.Kind);
            Assert.Null(r.RetryAfter);
        });
    }

    [Fact]
    public async Task A_bulkhead_reports_a_full_queue_and_a_wait_that_ran_out()
    {
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWaitMs = 100 });
        Assert.True(bulkhead.TryEnter());
        Task<bool> waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        Assert.False(bulkhead.EnterAsync(CancellationToken.None).ResultNow());
        Assert.Single(_listener.Rejections);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(await waiting.Guarded());

        Assert.Equal(2, _listener.Rejections.Count);
        Assert.All(_listener.Rejections, r =>
        {
            Assert.Equal("db", r.PolicyName);
            Assert.Equal(PolicyKind.Bulkhead, r.Kind);
            Assert.Null(r.RetryAfter);
        });
    }

    [Fact]
    public void A_rate_limit_reports_its_rejection_with_the_wait_for_the_next_permit_as_RetryAfter()
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("search-api", new RateLimitOptions { Permits = 2, WindowMs = 1_000 });
        Assert.True(limiter.Acquire(CancellationToken.None));
        Assert.True(limiter.Acquire(CancellationToken.None));

        Assert.False(limiter.Acquire(CancellationToken.None));

        RejectionEventArgs rejection = Assert.Single(_listener.Rejections);
        Assert.Equal("search-api", rejection.PolicyName);
        Assert.Equal(PolicyKind.RateLimit, rejection.Kind);
        Assert.Equal(TimeSpan.FromMilliseconds(500), rejection.RetryAfter);
        Assert.Equal(limiter.CreateRejection().RetryAfter, rejection.RetryAfter);
    }

    [Fact]
    public void A_call_let_through_is_not_reported()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 3 });
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1 });
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("search-api", new RateLimitOptions { Permits = 10 });

        breaker.Succeed();
        breaker.Fail(2);
        Assert.True(bulkhead.Enter(CancellationToken.None));
        bulkhead.Release();
        Assert.True(limiter.Acquire(CancellationToken.None));

        Assert.Empty(_listener.Events);
    }

    // ---- retries and timeouts ---------------------------------------------------------------------

    [Fact]
    public void A_retry_is_reported_with_the_attempt_the_delay_and_the_exception()
    {
        MethodTelemetry telemetry = _registry.GetTelemetry("payments", "Shop.Client.Get");
        var error = new IOException("down");

        telemetry.RecordRetry(telemetry.Start(), 2, TimeSpan.FromMilliseconds(400), error);

        RetryEventArgs retry = Assert.Single(_listener.Retries);
        Assert.Equal("payments", retry.PolicyName);
        Assert.Equal("Shop.Client.Get", retry.MethodName);
        Assert.Equal(2, retry.Attempt);
        Assert.Equal(TimeSpan.FromMilliseconds(400), retry.Delay);
        Assert.Same(error, retry.Exception);
    }

    [Fact]
    public void A_timeout_is_reported_with_its_duration_and_scope()
    {
        MethodTelemetry telemetry = _registry.GetTelemetry("payments", "Shop.Client.Get");

        telemetry.RecordTimeout(TimeSpan.FromSeconds(2), TimeoutScope.Total);

        TimeoutEventArgs timeout = Assert.Single(_listener.Timeouts);
        Assert.Equal("payments", timeout.PolicyName);
        Assert.Equal("Shop.Client.Get", timeout.MethodName);
        Assert.Equal(TimeSpan.FromSeconds(2), timeout.Timeout);
        Assert.Equal(TimeoutScope.Total, timeout.Scope);
    }

    [Fact]
    public void The_outcome_of_a_call_is_not_reported_to_listeners_unless_a_fallback_answered_it()
    {
        MethodTelemetry telemetry = _registry.GetTelemetry("payments", "Shop.Client.Get");

        telemetry.RecordSuccess(telemetry.Start());
        telemetry.RecordFailure(telemetry.Start(), new IOException("down"), CancellationToken.None);
        telemetry.RecordFailedResult(telemetry.Start());

        Assert.Empty(_listener.Events);
    }

    // ---- fallbacks --------------------------------------------------------------------------------

    [Fact]
    public void A_fallback_is_reported_with_the_policy_and_the_method()
    {
        MethodTelemetry telemetry = _registry.GetTelemetry("payments", "Shop.Client.Get");

        telemetry.RecordFallback(telemetry.Start());

        FallbackEventArgs fallback = Assert.IsType<FallbackEventArgs>(Assert.Single(_listener.Events));
        Assert.Equal("payments", fallback.PolicyName);
        Assert.Equal("Shop.Client.Get", fallback.MethodName);
        Assert.Null(fallback.Exception);
    }

    [Fact]
    public void A_fallback_given_the_failure_it_answered_reports_it()
    {
        MethodTelemetry telemetry = _registry.GetTelemetry("Shop.Client.Find", "Shop.Client.Find");
        var error = new IOException("down");

        telemetry.RecordFallback(telemetry.Start(), error);

        FallbackEventArgs fallback = Assert.Single(_listener.Fallbacks);
        Assert.Equal("Shop.Client.Find", fallback.PolicyName);
        Assert.Same(error, fallback.Exception);
    }

    [Fact]
    public void A_fallback_is_reported_on_the_flow_of_the_call_it_answered()
    {
        var flow = new AsyncLocal<string>();
        var seen = new FlowListener(flow);
        _registry.AddListener(seen);
        MethodTelemetry telemetry = _registry.GetTelemetry("payments", "Shop.Client.Get");

        flow.Value = "request 1";
        telemetry.RecordFallback(telemetry.Start());

        Assert.Equal("request 1", Assert.Single(seen.Flows));
    }

    // ---- registration -----------------------------------------------------------------------------

    [Fact]
    public void A_throwing_listener_changes_nothing_and_does_not_keep_later_listeners_from_hearing()
    {
        ResilienceRegistry registry = TestSupport.CreateRegistry(out FakeTimeProvider clock);
        var thrower = new ThrowingListener();
        var recorder = new RecordingListener();
        registry.AddListener(thrower);
        registry.AddListener(recorder);
        CircuitBreakerState breaker = registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        BulkheadState bulkhead = registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1 });
        RateLimiterState limiter = registry.GetOrAddRateLimiter("search-api", new RateLimitOptions { Permits = 1, WindowMs = 60_000 });
        MethodTelemetry telemetry = registry.GetTelemetry("payments", "Shop.Client.Get");

        breaker.Fail();
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out _));
        clock.Advance(TimeSpan.FromSeconds(1));
        breaker.Succeed();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.Enter(CancellationToken.None));
        Assert.True(limiter.Acquire(CancellationToken.None));
        Assert.False(limiter.Acquire(CancellationToken.None));
        telemetry.RecordRetry(0, 1, TimeSpan.Zero, new IOException("down"));
        telemetry.RecordTimeout(TimeSpan.FromSeconds(1), TimeoutScope.PerAttempt);
        telemetry.RecordFallback(telemetry.Start());

        Assert.Equal(9, thrower.Calls);
        Assert.Equal(9, recorder.Events.Count);
        Assert.Equal(1, bulkhead.ActiveCount);
        Assert.Equal(1, bulkhead.RejectionCount);
        Assert.Equal(1, limiter.RejectionCount);
        Assert.Equal(1, breaker.GetMetrics().Rejections);
    }

    [Fact]
    public void Disposing_the_registration_stops_the_events()
    {
        ResilienceRegistry registry = TestSupport.CreateRegistry(out _);
        var kept = new RecordingListener();
        var removed = new RecordingListener();
        registry.AddListener(kept);
        IDisposable registration = registry.AddListener(removed);
        CircuitBreakerState breaker = registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1 });
        breaker.Fail();
        Assert.Single(removed.Events);

        registration.Dispose();
        registration.Dispose();
        Assert.False(breaker.TryEnter(out _));
        breaker.Isolate();
        registry.GetTelemetry("payments", "Shop.Client.Get").RecordRetry(0, 1, TimeSpan.Zero, new IOException("down"));

        Assert.Single(removed.Events);
        Assert.Equal(4, kept.Events.Count);
    }

    [Fact]
    public void The_same_listener_registered_twice_hears_twice_until_each_registration_is_disposed()
    {
        ResilienceRegistry registry = TestSupport.CreateRegistry(out _);
        var listener = new RecordingListener();
        IDisposable first = registry.AddListener(listener);
        IDisposable second = registry.AddListener(listener);
        MethodTelemetry telemetry = registry.GetTelemetry("payments", "Shop.Client.Get");

        telemetry.RecordTimeout(TimeSpan.FromSeconds(1), TimeoutScope.PerAttempt);
        first.Dispose();
        telemetry.RecordTimeout(TimeSpan.FromSeconds(1), TimeoutScope.PerAttempt);
        second.Dispose();
        telemetry.RecordTimeout(TimeSpan.FromSeconds(1), TimeoutScope.PerAttempt);

        Assert.Equal(3, listener.Timeouts.Count);
    }

    [Fact]
    public void A_listener_hears_only_its_own_registry()
    {
        ResilienceRegistry other = TestSupport.CreateRegistry(out _);

        other.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1 }).Fail();

        Assert.Empty(_listener.Events);
    }

    [Fact]
    public void Listeners_stay_registered_across_Reset()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1 });

        _registry.Reset();
        breaker.Fail();

        Assert.Single(_listener.StateChanges);
    }

    [Fact]
    public void AddListener_rejects_null()
        => Assert.Throws<ArgumentNullException>("listener", () => _registry.AddListener(null!));

    /// <summary>Keeps the value <paramref name="flow"/> had on each fallback it was told of.</summary>
    private sealed class FlowListener(AsyncLocal<string> flow) : ResilienceListener
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string?> _flows = new();

        public IReadOnlyList<string?> Flows => _flows.ToArray();

        public override void OnFallback(FallbackEventArgs e) => _flows.Enqueue(flow.Value);
    }
}
