using System.Diagnostics;

namespace Resilience.Tests.Telemetry;

/// <summary>
/// Trace events on the current activity while the <c>Resilience</c> activity source is listened to, and nothing (not a
/// byte) while it is not. In the allocation collection, which runs alone, so that no other test's listener is active.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class TracingTests : IDisposable
{
    private const string TestSourceName = "Resilience.Tests.Tracing";
    private const int Iterations = 10_000;

    private static readonly ActivitySource s_testSource = new(TestSourceName);

    private readonly ResilienceRegistry _registry = TestSupport.CreateRegistry(out _);
    private ActivityListener? _listener;

    public void Dispose() => _listener?.Dispose();

    [Fact]
    public void The_source_is_named_Resilience()
        => Assert.Equal("Resilience", ResilienceDiagnostics.ActivitySourceName);

    [Fact]
    public void Retries_timeouts_fallbacks_rejections_and_breaker_transitions_are_events_on_the_current_activity()
    {
        Listen();
        MethodTelemetry telemetry = _registry.GetTelemetry("payments", "Shop.Payments.Charge");
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 30_000 });
        using Activity activity = s_testSource.StartActivity("charge")!;
        Assert.NotNull(activity);

        telemetry.RecordRetry(telemetry.Start(), 1, TimeSpan.FromMilliseconds(200), new IOException("down"));
        telemetry.RecordTimeout(TimeSpan.FromSeconds(2), TimeoutScope.PerAttempt);
        breaker.Fail();
        Assert.False(breaker.TryEnter(out _));
        telemetry.RecordFallback(telemetry.Start(), new IOException("down"));

        ActivityEvent[] events = activity.Events.ToArray();
        Assert.Equal(
            ["resilience.retry", "resilience.timeout", "resilience.circuit_breaker.state_change", "resilience.rejection", "resilience.fallback"],
            events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal("payments", Tag(e, "resilience.policy")));

        ActivityEvent retry = events[0];
        Assert.Equal("Shop.Payments.Charge", Tag(retry, "resilience.method"));
        Assert.Equal(1, Tag(retry, "resilience.retry.attempt"));
        Assert.Equal(0.2, Tag(retry, "resilience.retry.delay"));
        Assert.Equal("System.IO.IOException", Tag(retry, "error.type"));

        Assert.Equal("per_attempt", Tag(events[1], "resilience.timeout.scope"));
        Assert.Equal(2.0, Tag(events[1], "resilience.timeout.duration"));

        Assert.Equal("open", Tag(events[2], "resilience.circuit_breaker.state"));
        Assert.Equal("closed", Tag(events[2], "resilience.circuit_breaker.previous_state"));

        Assert.Equal("circuit_breaker", Tag(events[3], "resilience.policy.kind"));
        Assert.Equal(30.0, Tag(events[3], "resilience.retry_after"));

        Assert.Equal("System.IO.IOException", Tag(events[4], "error.type"));
    }

    [Fact]
    public void Each_event_names_its_scope_kind_and_outcome()
    {
        Listen();
        using Activity activity = s_testSource.StartActivity("call")!;

        _registry.Notify(new TimeoutEventArgs("orders", "Shop.Orders.Get", TimeSpan.FromSeconds(5), TimeoutScope.Total));
        _registry.Notify(new RejectionEventArgs("orders", PolicyKind.Bulkhead, retryAfter: null));
        _registry.Notify(new RejectionEventArgs("orders", PolicyKind.RateLimit, TimeSpan.FromSeconds(3)));
        foreach (ChaosInjection injection in new[] { ChaosInjection.Fault, ChaosInjection.Latency, ChaosInjection.Outcome })
        {
            _registry.Notify(new ChaosEventArgs("orders", "Shop.Orders.Get", injection));
        }

        foreach (IdempotencyOutcome outcome in new[] { IdempotencyOutcome.Hit, IdempotencyOutcome.Miss, IdempotencyOutcome.Shared, IdempotencyOutcome.NotStored })
        {
            _registry.Notify(new IdempotencyEventArgs("orders", outcome, exception: null));
        }

        _registry.Notify(new CachedFallbackEventArgs("orders", "Shop.Orders.Get", new IOException("down"), fromSharedStore: true));

        ActivityEvent[] events = activity.Events.ToArray();
        Assert.Equal(
            [
                ("resilience.timeout", "total"),
                ("resilience.rejection", "bulkhead"),
                ("resilience.rejection", "rate_limit"),
                ("resilience.chaos", "fault"),
                ("resilience.chaos", "latency"),
                ("resilience.chaos", "outcome"),
                ("resilience.idempotency", "hit"),
                ("resilience.idempotency", "miss"),
                ("resilience.idempotency", "shared"),
                ("resilience.idempotency", "not_stored"),
                ("resilience.cached_fallback", "System.IO.IOException"),
            ],
            events.Select(e => (e.Name, (string?)(Tag(e, "resilience.timeout.scope") ?? Tag(e, "resilience.policy.kind") ?? Tag(e, "resilience.chaos.kind")
                ?? Tag(e, "resilience.idempotency.outcome") ?? Tag(e, "error.type")))));
        Assert.All(events, e => Assert.Equal("orders", Tag(e, "resilience.policy")));
        Assert.Null(Tag(events[1], "resilience.retry_after"));
        Assert.Equal(3.0, Tag(events[2], "resilience.retry_after"));
        Assert.Equal(true, Tag(events[10], "resilience.cached_fallback.shared"));
        Assert.Equal("Shop.Orders.Get", Tag(events[10], "resilience.method"));
    }

    [Fact]
    public void A_retry_on_a_failed_http_response_names_its_status_code()
    {
        Listen();
        MethodTelemetry telemetry = _registry.GetTelemetry("catalog", "Shop.Catalog.Get");
        using Activity activity = s_testSource.StartActivity("get")!;
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable);

        telemetry.RecordRetryOnResult(0, 1, TimeSpan.FromSeconds(1), response);

        Assert.Equal("503", Tag(Assert.Single(activity.Events), "error.type"));
    }

    [Fact]
    public void Nothing_is_recorded_or_allocated_while_the_source_has_no_listener()
    {
        MethodTelemetry telemetry = _registry.GetTelemetry("unheard", "Shop.Client.Get");
        var error = new IOException("down");
        using var activity = new Activity("request");
        activity.Start();
        Assert.False(ResilienceTracing.Source.HasListeners());

        long bytes = AllocatedBytes(() =>
        {
            telemetry.RecordRetry(0, 1, TimeSpan.FromMilliseconds(200), error);
            telemetry.RecordTimeout(TimeSpan.FromSeconds(1), TimeoutScope.Total);
            telemetry.RecordFallback(0, error);
        });

        Assert.Equal(0, bytes);
        Assert.Empty(activity.Events);
    }

    [Fact]
    public void Nothing_is_recorded_without_a_current_activity_even_when_the_source_is_listened_to()
    {
        Listen();
        MethodTelemetry telemetry = _registry.GetTelemetry("no-activity", "Shop.Client.Get");
        var error = new IOException("down");
        Assert.Null(Activity.Current);

        Assert.Equal(0, AllocatedBytes(() => telemetry.RecordRetry(0, 1, TimeSpan.Zero, error)));
    }

    private static object? Tag(ActivityEvent e, string name) => e.Tags.FirstOrDefault(t => t.Key == name).Value;

    private void Listen()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is ResilienceDiagnostics.ActivitySourceName or TestSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    private static long AllocatedBytes(Action operation)
    {
        for (int i = 0; i < 1_000; i++)
        {
            operation();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            operation();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
