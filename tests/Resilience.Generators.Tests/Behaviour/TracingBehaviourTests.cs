using System.Diagnostics;

namespace Resilience.Generators.Tests.Behaviour;

public partial class TracingSubject
{
    public const string SyncBreaker = "behaviour-tracing-sync";
    public const string AsyncBreaker = "behaviour-tracing-async";
    public const string BulkheadName = "behaviour-tracing-bulkhead";
    public const string LimitName = "behaviour-tracing-limit";

    public CoreScript Script { get; } = new();

    [Retry(3, DelayMs = 0)]
    [Timeout(100)]
    [CircuitBreaker(2, BreakDurationMs = 60_000, Name = SyncBreaker)]
    [Fallback(nameof(Recover))]
    public partial int Get(CancellationToken cancellationToken);

    private int GetCore(CancellationToken cancellationToken) => Script.Run(cancellationToken);

    [Retry(3, DelayMs = 0)]
    [Timeout(100)]
    [CircuitBreaker(2, BreakDurationMs = 60_000, Name = AsyncBreaker)]
    [Fallback(nameof(Recover))]
    public partial Task<int> GetAsync(CancellationToken cancellationToken);

    private Task<int> GetAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    private int Recover(CancellationToken cancellationToken, Exception error) => -1;

    [Fallback(nameof(Zero), HandleResult = nameof(IsNegative))]
    public partial int Judged();

    private int JudgedCore() => Script.Run();

    private int Zero(Exception error) => 0;

    private static bool IsNegative(int value) => value < 0;

    [Fallback(nameof(Nothing))]
    public partial int Plain();

    private int PlainCore() => Script.Run();

    private int Nothing() => 0;

    [Bulkhead(1, Name = BulkheadName)]
    public partial Task<int> OneAtATimeAsync();

    private Task<int> OneAtATimeAsyncCore() => Script.RunAsync();

    [RateLimit(1, 60_000, Name = LimitName)]
    public partial int Limited();

    private int LimitedCore() => Script.Run();
}

/// <summary>
/// What generated methods add to the caller's current activity while the <c>Resilience</c> activity source is
/// listened to (docs/operations.md#traces), as an OpenTelemetry tracer would see it. The listener is process-wide, but
/// each event goes to the activity current where the policy acted: every assertion reads only the test's own activity,
/// which its own source starts, so a test running beside it that calls a resilient method adds nothing there.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class TracingBehaviourTests : RegistryTest
{
    private const string TestSourceName = "Resilience.Generators.Tests.Tracing";
    private const string RetryEvent = "resilience.retry";
    private const string TimeoutEvent = "resilience.timeout";
    private const string StateChangeEvent = "resilience.circuit_breaker.state_change";
    private const string RejectionEvent = "resilience.rejection";
    private const string FallbackEvent = "resilience.fallback";

    private static readonly ActivitySource s_testSource = new(TestSourceName);

    private readonly TracingSubject _subject = new();

    [Fact]
    public async Task A_synchronous_call_puts_its_timeout_retries_breaker_opening_rejection_and_fallback_on_the_callers_activity()
    {
        using ActivityListener listener = Listen();
        _subject.Script.Sync = static (call, token) => call == 1 ? CoreScript.BlockUntilCancelled(token) : throw new IOException("down");
        using Activity activity = StartActivity();

        // The core blocks its thread until its token is cancelled: the call runs beside the test, which moves the clock.
        Task<int> call = Task.Run(() => _subject.Get(CancellationToken.None));
        WaitUntil(() => _subject.Script.Calls == 1, "the core started");
        Clock.Advance(Ms(100));

        Assert.Equal(-1, await call.WaitAsync(HangGuard));
        AssertTimeoutRetriesOpeningRejectionAndFallback(activity, TracingSubject.SyncBreaker, nameof(TracingSubject.Get));
    }

    [Fact]
    public async Task An_asynchronous_call_puts_its_timeout_retries_breaker_opening_rejection_and_fallback_on_the_callers_activity()
    {
        using ActivityListener listener = Listen();
        _subject.Script.Async = static (call, token) => call == 1 ? CoreScript.UntilCancelled(token) : Task.FromException<int>(new IOException("down"));
        using Activity activity = StartActivity();

        Task<int> call = _subject.GetAsync(CancellationToken.None);
        Clock.Advance(Ms(100));

        Assert.Equal(-1, await call.WaitAsync(HangGuard));
        AssertTimeoutRetriesOpeningRejectionAndFallback(activity, TracingSubject.AsyncBreaker, nameof(TracingSubject.GetAsync));
    }

    [Fact]
    public async Task The_breakers_probe_and_its_closing_are_events_on_the_activity_of_the_call_that_probed()
    {
        using ActivityListener listener = Listen();
        _subject.Script.Async = static (_, _) => Task.FromException<int>(new IOException("down"));
        using (StartActivity())
        {
            Assert.Equal(-1, await _subject.GetAsync(CancellationToken.None).WaitAsync(HangGuard));
        }

        Clock.Advance(TimeSpan.FromSeconds(60));
        _subject.Script.Async = static (_, _) => Task.FromResult(42);
        using Activity probe = StartActivity();

        Assert.Equal(42, await _subject.GetAsync(CancellationToken.None).WaitAsync(HangGuard));
        ActivityEvent[] events = probe.Events.ToArray();
        Assert.Equal([StateChangeEvent, StateChangeEvent], events.Select(e => e.Name));
        Assert.Equal(("half_open", "open"), Transition(events[0]));
        Assert.Equal(("closed", "half_open"), Transition(events[1]));
        Assert.All(events, e => Assert.Equal(TracingSubject.AsyncBreaker, Tag(e, "resilience.policy")));
    }

    [Fact]
    public void A_fallback_that_answers_a_result_or_takes_no_failure_is_an_event_without_an_error_type()
    {
        using ActivityListener listener = Listen();
        using Activity activity = StartActivity();
        _subject.Script.Sync = static (call, _) => call == 1 ? -5 : throw new IOException("down");

        Assert.Equal(0, _subject.Judged());   // a result the fallback judges a failure
        Assert.Equal(0, _subject.Plain());    // an exception, which a fallback without a parameter is not given

        ActivityEvent[] events = activity.Events.ToArray();
        Assert.Equal([FallbackEvent, FallbackEvent], events.Select(e => e.Name));
        Assert.Equal(
            ["Resilience.Generators.Tests.Behaviour.TracingSubject.Judged", "Resilience.Generators.Tests.Behaviour.TracingSubject.Plain"],
            events.Select(e => Tag(e, "resilience.method")));
        Assert.All(events, e => Assert.Null(Tag(e, "error.type")));
    }

    [Fact]
    public async Task A_full_bulkheads_rejection_is_an_event_without_a_retry_after()
    {
        using ActivityListener listener = Listen();
        var held = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _subject.Script.Async = (_, _) => held.Task;
        Task<int> inside = _subject.OneAtATimeAsync();
        using Activity activity = StartActivity();

        await Assert.ThrowsAsync<BulkheadRejectedException>(() => _subject.OneAtATimeAsync().WaitAsync(HangGuard));

        ActivityEvent rejection = Assert.Single(activity.Events);
        Assert.Equal(RejectionEvent, rejection.Name);
        Assert.Equal(TracingSubject.BulkheadName, Tag(rejection, "resilience.policy"));
        Assert.Equal("bulkhead", Tag(rejection, "resilience.policy.kind"));
        Assert.Null(Tag(rejection, "resilience.retry_after"));
        held.SetResult(1);
        Assert.Equal(1, await inside.WaitAsync(HangGuard));
    }

    [Fact]
    public void A_rate_limits_rejection_is_an_event_with_the_time_until_the_next_permit()
    {
        using ActivityListener listener = Listen();
        using Activity activity = StartActivity();
        Assert.Equal(1, _subject.Limited());
        Assert.Empty(activity.Events);
        Clock.Advance(TimeSpan.FromSeconds(15));

        Assert.Throws<RateLimitRejectedException>(() => _subject.Limited());

        ActivityEvent rejection = Assert.Single(activity.Events);
        Assert.Equal(RejectionEvent, rejection.Name);
        Assert.Equal(TracingSubject.LimitName, Tag(rejection, "resilience.policy"));
        Assert.Equal("rate_limit", Tag(rejection, "resilience.policy.kind"));
        Assert.Equal(45.0, Tag(rejection, "resilience.retry_after"));
    }

    [Fact]
    public async Task A_call_outside_any_activity_adds_nothing_to_an_activity_that_is_not_its_own()
    {
        using ActivityListener listener = Listen();
        using Activity activity = StartActivity();
        _subject.Script.Sync = static (_, _) => throw new IOException("down");

        Task<int> call;
        using (ExecutionContext.SuppressFlow())
        {
            // A thread that does not inherit the test's activity: its events have nowhere to go.
            call = Task.Run(() => Activity.Current is null ? _subject.Get(CancellationToken.None) : 0);
        }

        Assert.Equal(-1, await call.WaitAsync(HangGuard));
        Assert.Equal(2, _subject.Script.Calls);   // the second failure opened the breaker, which rejected the third attempt
        Assert.Empty(activity.Events);
    }

    /// <summary>
    /// Attempt 1 times out (a retry), attempt 2 fails and opens the breaker (a retry), attempt 3 is rejected by the open
    /// breaker (not retried) and the fallback answers the rejection: six events, in that order, on <paramref name="activity"/>.
    /// </summary>
    private static void AssertTimeoutRetriesOpeningRejectionAndFallback(Activity activity, string policy, string method)
    {
        string methodName = "Resilience.Generators.Tests.Behaviour.TracingSubject." + method;
        ActivityEvent[] events = activity.Events.ToArray();

        Assert.Equal([TimeoutEvent, RetryEvent, StateChangeEvent, RetryEvent, RejectionEvent, FallbackEvent], events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(policy, Tag(e, "resilience.policy")));
        Assert.All(events.Where(e => e.Name is TimeoutEvent or RetryEvent or FallbackEvent), e => Assert.Equal(methodName, Tag(e, "resilience.method")));

        Assert.Equal("per_attempt", Tag(events[0], "resilience.timeout.scope"));
        Assert.Equal(0.1, Tag(events[0], "resilience.timeout.duration"));

        Assert.Equal(1, Tag(events[1], "resilience.retry.attempt"));
        Assert.Equal(0.0, Tag(events[1], "resilience.retry.delay"));
        Assert.Equal(typeof(TimeoutRejectedException).FullName, Tag(events[1], "error.type"));

        Assert.Equal(("open", "closed"), Transition(events[2]));

        Assert.Equal(2, Tag(events[3], "resilience.retry.attempt"));
        Assert.Equal(typeof(IOException).FullName, Tag(events[3], "error.type"));

        Assert.Equal("circuit_breaker", Tag(events[4], "resilience.policy.kind"));
        Assert.Equal(60.0, Tag(events[4], "resilience.retry_after"));

        Assert.Equal(typeof(BrokenCircuitException).FullName, Tag(events[5], "error.type"));
    }

    /// <summary>Listens to the <c>Resilience</c> source and records this test's own activities (the library starts none).</summary>
    private static ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name is ResilienceDiagnostics.ActivitySourceName or TestSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> options)
                => options.Source.Name == TestSourceName ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static Activity StartActivity()
    {
        Activity? activity = s_testSource.StartActivity("caller");
        Assert.NotNull(activity);
        Assert.True(activity.IsAllDataRequested);
        return activity;
    }

    private static (object? State, object? Previous) Transition(ActivityEvent e)
        => (Tag(e, "resilience.circuit_breaker.state"), Tag(e, "resilience.circuit_breaker.previous_state"));

    private static object? Tag(ActivityEvent e, string name) => e.Tags.FirstOrDefault(t => t.Key == name).Value;
}
