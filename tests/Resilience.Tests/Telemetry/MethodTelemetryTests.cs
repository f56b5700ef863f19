using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using static Resilience.Tests.Telemetry.TelemetryTesting;

namespace Resilience.Tests.Telemetry;

/// <summary>What generated code records through <see cref="MethodTelemetry"/>: each outcome, the call's duration, and retried calls.</summary>
public sealed class MethodTelemetryTests
{
    private const string OutcomeTag = "resilience.outcome";

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;
    private readonly string _policy = UniqueName("method");

    public MethodTelemetryTests() => _registry = TestSupport.CreateRegistry(out _clock);

    public static TheoryData<Exception, bool, string> Failures() => new()
    {
        { new OperationCanceledException(), true, "canceled" },
        { new OperationCanceledException(), false, "failure" }, // cancelled by something else than the caller
        { new BulkheadRejectedException("pool", 1, 0, 0), false, "rejected" },
        { new TimeoutRejectedException("pool", TimeSpan.FromSeconds(1)), false, "failure" },
        { new InvalidOperationException(), true, "failure" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_is_counted_with_the_outcome_its_exception_and_the_callers_token_say(Exception error, bool callerCancelled, string outcome)
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        MethodTelemetry telemetry = _registry.GetTelemetry(_policy, "GetAsync");

        bool handled = telemetry.RecordFailure(telemetry.Start(), error, new CancellationToken(callerCancelled));

        Assert.False(handled); // generated code rethrows: recording never swallows the exception
        CollectedMeasurement<long> call = Assert.Single(calls.For(_policy));
        Assert.Equal(outcome, call.Tag(OutcomeTag));
        Assert.Equal("GetAsync", call.Tag("resilience.method"));
    }

    [Fact]
    public void A_call_is_counted_even_when_its_duration_is_not_measured()
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        MethodTelemetry telemetry = _registry.GetTelemetry(_policy, "GetAsync");

        telemetry.RecordSuccess(started: 0);
        telemetry.RecordFallback(started: 0);
        telemetry.RecordFailedResult(started: 0);

        Assert.Equal(["success", "fallback", "failure"], calls.For(_policy).Select(m => m.Tag(OutcomeTag)));
    }

    [Fact]
    public void A_calls_duration_runs_from_Start_on_the_registrys_clock()
    {
        using MetricCollector<double> durations = Collect<double>("resilience.call.duration");
        MethodTelemetry telemetry = _registry.GetTelemetry(_policy, "GetAsync");

        long started = telemetry.Start();
        _clock.Advance(TimeSpan.FromMilliseconds(1_500));
        telemetry.RecordSuccess(started);

        CollectedMeasurement<double> duration = Assert.Single(durations.For(_policy));
        Assert.Equal(1.5, duration.Value);
        Assert.Equal("success", duration.Tag(OutcomeTag));
    }

    [Fact]
    public void Start_never_answers_0_while_durations_are_measured_even_on_a_clock_at_0()
    {
        using MetricCollector<double> durations = Collect<double>("resilience.call.duration");
        var registry = new ResilienceRegistry { TimeProvider = new StoppedClock() };

        long started = registry.GetTelemetry(_policy, "GetAsync").Start();

        // 0 means "no duration measured": a clock reading 0 must not turn measuring off for the call.
        Assert.NotEqual(0, started);
    }

    [Fact]
    public void A_retried_call_is_counted_as_retried_and_its_duration_still_runs_from_its_start()
    {
        using MetricCollector<long> retried = Collect<long>("resilience.retry.calls");
        using MetricCollector<double> durations = Collect<double>("resilience.call.duration");
        MethodTelemetry telemetry = _registry.GetTelemetry(_policy, "GetAsync");

        long started = telemetry.Start();
        long token = telemetry.RecordRetry(started, attempt: 1, TimeSpan.FromMilliseconds(200), new TimeoutException());
        _clock.Advance(TimeSpan.FromSeconds(2));
        long again = telemetry.RecordRetry(token, attempt: 2, TimeSpan.FromMilliseconds(400), new TimeoutException());
        telemetry.RecordSuccess(again);

        Assert.Equal(token, again); // marked once, whatever the number of retries
        Assert.Equal("success", Assert.Single(retried.For(_policy)).Tag(OutcomeTag));
        Assert.Equal(2.0, Assert.Single(durations.For(_policy)).Value);
    }

    [Fact]
    public void A_retried_call_without_a_timestamp_is_counted_as_retried_with_no_duration()
    {
        using MetricCollector<long> retried = Collect<long>("resilience.retry.calls");
        using MetricCollector<double> durations = Collect<double>("resilience.call.duration");
        MethodTelemetry telemetry = _registry.GetTelemetry(_policy, "GetAsync");

        long token = telemetry.RecordRetry(started: 0, attempt: 1, TimeSpan.Zero, new TimeoutException());
        telemetry.RecordFailure(token, new TimeoutException(), CancellationToken.None);

        Assert.NotEqual(0, token);
        Assert.Equal("failure", Assert.Single(retried.For(_policy)).Tag(OutcomeTag));
        Assert.Empty(durations.For(_policy));
    }

    [Theory]
    [InlineData(503, "503")]
    [InlineData(429, "429")]
    [InlineData(null, "_result")]
    public void A_retry_on_a_result_is_counted_with_the_results_error_type(int? status, string errorType)
    {
        using MetricCollector<long> attempts = Collect<long>("resilience.retry.attempts");
        var recorder = new RecordingListener();
        using IDisposable registration = _registry.AddListener(recorder);
        MethodTelemetry telemetry = _registry.GetTelemetry(_policy, "GetAsync");
        using var response = new HttpResponseMessage((System.Net.HttpStatusCode)(status ?? 200));
        object result = status is null ? "not good enough" : response;

        long token = telemetry.RecordRetryOnResult(started: 0, attempt: 1, TimeSpan.FromMilliseconds(200), result);

        Assert.NotEqual(0, token); // marked as retried
        CollectedMeasurement<long> attempt = Assert.Single(attempts.For(_policy));
        Assert.Equal(errorType, attempt.Tag("error.type"));
        Assert.Equal("GetAsync", attempt.Tag("resilience.method"));
        RetryEventArgs retry = Assert.Single(recorder.Retries);
        Assert.Same(result, retry.Result);
        Assert.Null(retry.Exception);
        Assert.Equal(TimeSpan.FromMilliseconds(200), retry.Delay);
    }

    [Fact]
    public void Inside_a_scope_the_default_registrys_telemetry_tells_the_scopes_listeners_and_not_the_default_registrys()
    {
        MethodTelemetry telemetry = ResilienceRegistry.Default.GetTelemetry(_policy, "GetAsync");
        var outside = new RecordingListener();
        using IDisposable outsideRegistration = ResilienceRegistry.Default.AddListener(outside);
        var inside = new RecordingListener();

        using (ResilienceScope scope = ResilienceScope.Begin())
        {
            using IDisposable insideRegistration = scope.Registry.AddListener(inside);
            telemetry.RecordFallback(started: 0, new IOException("down"));
        }

        FallbackEventArgs fallback = Assert.Single(inside.Fallbacks);
        Assert.Equal((_policy, "GetAsync"), (fallback.PolicyName, fallback.MethodName));
        Assert.DoesNotContain(outside.Fallbacks, e => e.PolicyName == _policy);
    }

    [Theory]
    [InlineData(TimeoutScope.PerAttempt, "per_attempt")]
    [InlineData(TimeoutScope.Total, "total")]
    public void A_timeout_is_counted_with_its_scope(TimeoutScope scope, string tag)
    {
        using MetricCollector<long> timeouts = Collect<long>("resilience.timeouts");

        _registry.GetTelemetry(_policy, "GetAsync").RecordTimeout(TimeSpan.FromSeconds(1), scope);

        Assert.Equal(tag, Assert.Single(timeouts.For(_policy)).Tag("resilience.timeout.scope"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(11)]
    public void A_hedged_attempt_is_counted_with_its_number(int attempt)
    {
        using MetricCollector<long> attempts = Collect<long>("resilience.hedging.attempts");
        using MetricCollector<long> wins = Collect<long>("resilience.hedging.wins");
        MethodTelemetry telemetry = _registry.GetTelemetry(_policy, "GetAsync");

        telemetry.RecordHedgedAttempt(attempt);
        telemetry.RecordHedgingWinner(attempt);

        string expected = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, Assert.Single(attempts.For(_policy)).Tag("resilience.hedging.attempt"));
        Assert.Equal(expected, Assert.Single(wins.For(_policy)).Tag("resilience.hedging.attempt"));
    }

    [Fact]
    public void The_same_policy_and_method_share_one_telemetry_and_another_method_has_its_own()
    {
        MethodTelemetry first = _registry.GetTelemetry(_policy, "GetAsync");

        Assert.Same(first, _registry.GetTelemetry(_policy, "GetAsync"));
        Assert.NotSame(first, _registry.GetTelemetry(_policy, "PutAsync"));
        Assert.Equal((_policy, "GetAsync"), (first.PolicyName, first.MethodName));
    }

    /// <summary>A clock whose timestamp stays at 0.</summary>
    private sealed class StoppedClock : TimeProvider
    {
        public override long GetTimestamp() => 0;
    }
}

/// <summary>
/// Durations measured while nothing counts the calls themselves. In the allocation tests' collection, which runs alone,
/// so that no other test's collector has the call counter enabled meanwhile.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class MethodTelemetryDurationTests
{
    [Fact]
    public void Every_outcome_has_its_duration_measured_when_only_durations_are_listened_to()
    {
        ResilienceRegistry registry = TestSupport.CreateRegistry(out FakeTimeProvider clock);
        string policy = UniqueName("durations");
        using MetricCollector<double> durations = Collect<double>("resilience.call.duration");
        MethodTelemetry telemetry = registry.GetTelemetry(policy, "GetAsync");

        void Call(Action<long> record)
        {
            long started = telemetry.Start();
            clock.Advance(TimeSpan.FromMilliseconds(250));
            record(started);
        }

        Call(telemetry.RecordSuccess);
        Call(started => telemetry.RecordFallback(started, new IOException("down")));
        Call(telemetry.RecordCachedFallback);
        Call(telemetry.RecordFailedResult);
        Call(started => telemetry.RecordFailure(started, new IOException("down"), CancellationToken.None));

        IReadOnlyList<CollectedMeasurement<double>> measured = durations.For(policy);
        Assert.Equal(["success", "fallback", "fallback", "failure", "failure"], measured.Select(m => m.Tag("resilience.outcome")));
        Assert.All(measured, m => Assert.Equal(0.25, m.Value));
    }
}
