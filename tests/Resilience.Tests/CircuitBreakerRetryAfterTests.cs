using System.Net;
using System.Net.Http;
using Microsoft.Extensions.Time.Testing;
using Resilience.Tests.Telemetry;

namespace Resilience.Tests;

/// <summary><see cref="CircuitBreakerOptions.HonorRetryAfter"/>: the response that opens the breaker may hold it open for its Retry-After.</summary>
public sealed class CircuitBreakerRetryAfterTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public CircuitBreakerRetryAfterTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void A_retry_after_longer_than_the_break_holds_the_breaker_open_until_then()
    {
        CircuitBreakerState breaker = Create(honorRetryAfter: true);
        var listener = new RecordingListener();
        using IDisposable registration = _registry.AddListener(listener);

        FailWith(breaker, RetryAfter(HttpStatusCode.TooManyRequests, seconds: 30));

        Assert.Equal(TimeSpan.FromSeconds(30), Assert.Single(listener.StateChanges).BreakDuration);
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(breaker.TryEnter(out _));
        Assert.Equal(TimeSpan.FromSeconds(1), breaker.CreateRejection().RetryAfter);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryEnter(out _));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public void A_429_or_503_holds_the_breaker_open_for_its_retry_after(HttpStatusCode status)
    {
        CircuitBreakerState breaker = Create(honorRetryAfter: true);

        FailWith(breaker, RetryAfter(status, seconds: 30));

        Assert.Equal(TimeSpan.FromSeconds(30), breaker.CreateRejection().RetryAfter);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.NotFound)]
    public void The_retry_after_of_another_failed_status_leaves_the_break_as_it_is(HttpStatusCode status)
    {
        CircuitBreakerState breaker = Create(honorRetryAfter: true);
        var listener = new RecordingListener();
        using IDisposable registration = _registry.AddListener(listener);

        FailWith(breaker, RetryAfter(status, seconds: 30));

        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(listener.StateChanges).BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(1), breaker.CreateRejection().RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryEnter(out _));
    }

    [Fact]
    public void A_failed_call_reporting_a_429_through_CircuitBreakerCall_holds_the_breaker_and_a_500_does_not()
    {
        CircuitBreakerState throttled = Create(honorRetryAfter: true, name: "throttled");
        CircuitBreakerState failing = Create(honorRetryAfter: true, name: "failing");

        using (CircuitBreakerCall call = throttled.Begin())
        {
            call.Fail(RetryAfter(HttpStatusCode.TooManyRequests, seconds: 30));
        }

        using (CircuitBreakerCall call = failing.Begin())
        {
            call.Fail(RetryAfter(HttpStatusCode.InternalServerError, seconds: 30));
        }

        Assert.Equal(TimeSpan.FromSeconds(30), throttled.CreateRejection().RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(1), failing.CreateRejection().RetryAfter);
    }

    [Fact]
    public void An_http_date_counts_from_the_registrys_clock()
    {
        CircuitBreakerState breaker = Create(honorRetryAfter: true);
        HttpResponseMessage response = new(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(_clock.GetUtcNow().AddSeconds(20));

        FailWith(breaker, response);

        Assert.Equal(TimeSpan.FromSeconds(20), breaker.CreateRejection().RetryAfter);
    }

    [Fact]
    public void Without_the_switch_the_break_is_the_configured_one()
    {
        CircuitBreakerState breaker = Create(honorRetryAfter: false);

        FailWith(breaker, RetryAfter(HttpStatusCode.ServiceUnavailable, seconds: 30));

        Assert.Equal(TimeSpan.FromSeconds(1), breaker.CreateRejection().RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryEnter(out _));
    }

    [Fact]
    public void A_retry_after_shorter_than_the_break_or_missing_leaves_the_break_as_it_is()
    {
        CircuitBreakerState shorter = Create(honorRetryAfter: true, name: "shorter", breakDurationMs: 10_000);
        CircuitBreakerState missing = Create(honorRetryAfter: true, name: "missing", breakDurationMs: 10_000);

        FailWith(shorter, RetryAfter(HttpStatusCode.ServiceUnavailable, seconds: 2));
        FailWith(missing, new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        Assert.Equal(TimeSpan.FromSeconds(10), shorter.CreateRejection().RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(10), missing.CreateRejection().RetryAfter);
    }

    [Fact]
    public void The_hold_is_capped_at_one_hour()
    {
        CircuitBreakerState breaker = Create(honorRetryAfter: true);

        FailWith(breaker, RetryAfter(HttpStatusCode.ServiceUnavailable, seconds: 86_400));

        Assert.Equal(CircuitBreakerState.MaxRetryAfterHold, breaker.CreateRejection().RetryAfter);
        Assert.Equal(TimeSpan.FromHours(1), CircuitBreakerState.MaxRetryAfterHold);
    }

    [Fact]
    public void A_failed_probe_with_a_retry_after_holds_the_breaker_open_again()
    {
        CircuitBreakerState breaker = Create(honorRetryAfter: true);
        breaker.Fail();
        _clock.Advance(TimeSpan.FromSeconds(1));

        FailWith(breaker, RetryAfter(HttpStatusCode.ServiceUnavailable, seconds: 15));

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(TimeSpan.FromSeconds(15), breaker.CreateRejection().RetryAfter);
    }

    [Fact]
    public void Only_the_failure_that_opens_the_breaker_sets_the_hold()
    {
        CircuitBreakerState breaker = Create(honorRetryAfter: true, failureThreshold: 2);

        FailWith(breaker, RetryAfter(HttpStatusCode.ServiceUnavailable, seconds: 30));
        FailWith(breaker, new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        Assert.Equal(TimeSpan.FromSeconds(1), breaker.CreateRejection().RetryAfter);
    }

    [Fact]
    public void Configure_can_turn_the_switch_on_by_name()
    {
        CircuitBreakerState breaker = Create(honorRetryAfter: false);

        _registry.Configure(new Dictionary<string, PolicySettings> { ["upstream"] = new() { HonorRetryAfter = true } });
        FailWith(breaker, RetryAfter(HttpStatusCode.TooManyRequests, seconds: 30));

        Assert.True(breaker.Options.HonorRetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), breaker.CreateRejection().RetryAfter);
    }

    private static void FailWith(CircuitBreakerState breaker, HttpResponseMessage response)
    {
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit, response);
    }

    private static HttpResponseMessage RetryAfter(HttpStatusCode status, int seconds)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        return response;
    }

    private CircuitBreakerState Create(bool honorRetryAfter, string name = "upstream", int failureThreshold = 1, int breakDurationMs = 1_000)
        => _registry.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions
        {
            FailureThreshold = failureThreshold,
            BreakDurationMs = breakDurationMs,
            HonorRetryAfter = honorRetryAfter,
        });
}
