using System.Net;
using System.Net.Http;

namespace Resilience.Tests;

/// <summary>Outcomes, HTTP's transient and permanent failures, and how a failed result is described.</summary>
public sealed class OutcomeTests
{
    [Fact]
    public void An_outcome_holds_a_result_or_an_exception()
    {
        Outcome<int> result = Outcome<int>.FromResult(7);
        var error = new TimeoutException("slow");
        Outcome<int> failure = Outcome<int>.FromException(error);

        Assert.False(result.IsException);
        Assert.Equal(7, result.Result);
        Assert.Null(result.Exception);
        Assert.True(failure.IsException);
        Assert.Same(error, failure.Exception);
        Assert.Equal(0, failure.Result);
        Assert.Equal("result: 7", result.ToString());
        Assert.Equal("exception: TimeoutException: slow", failure.ToString());
        Assert.Throws<ArgumentNullException>(() => Outcome<int>.FromException(null!));
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.BadGateway, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.GatewayTimeout, true)]
    [InlineData((HttpStatusCode)599, true)]
    [InlineData(HttpStatusCode.OK, false)]
    [InlineData(HttpStatusCode.NoContent, false)]
    [InlineData(HttpStatusCode.MovedPermanently, false)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.Conflict, false)]
    [InlineData((HttpStatusCode)499, false)]
    public void Transient_HTTP_failures_are_408_429_and_5xx(HttpStatusCode status, bool transient)
    {
        using var response = new HttpResponseMessage(status);

        Assert.Equal(transient, HttpOutcomes.IsTransient(status));
        Assert.Equal(transient, HttpOutcomes.IsTransientFailure(response));
    }

    [Fact]
    public void No_response_is_no_transient_failure()
        => Assert.False(HttpOutcomes.IsTransientFailure(null));

    [Theory]
    [InlineData(HttpStatusCode.NotFound, true)]
    [InlineData(HttpStatusCode.BadRequest, true)]
    [InlineData(HttpStatusCode.Forbidden, true)]
    [InlineData(HttpStatusCode.RequestTimeout, false)]
    [InlineData(HttpStatusCode.TooManyRequests, false)]
    [InlineData(HttpStatusCode.ServiceUnavailable, false)]
    public void An_HttpRequestException_with_a_client_error_other_than_408_and_429_is_permanent(HttpStatusCode status, bool permanent)
        => Assert.Equal(permanent, HttpOutcomes.IsPermanentFailure(new HttpRequestException("failed", null, status)));

    [Fact]
    public void Other_exceptions_and_an_HttpRequestException_without_a_status_are_not_permanent()
    {
        Assert.False(HttpOutcomes.IsPermanentFailure(new HttpRequestException("connection refused")));
        Assert.False(HttpOutcomes.IsPermanentFailure(new InvalidOperationException()));
    }

    [Fact]
    public void A_handled_result_is_described_by_its_status_when_it_is_a_response()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        var error = new HandledResultException("payments", response);

        Assert.Equal("'payments' returned a result handled as a failure: 503 (Service Unavailable).", error.Message);
        Assert.Same(response, error.Result);
        Assert.Equal("payments", error.PolicyName);
        Assert.Equal("'p' returned a result handled as a failure: null.", new HandledResultException("p", null).Message);
        Assert.Equal("'p' returned a result handled as a failure: -1.", new HandledResultException("p", -1).Message);
    }

    [Fact]
    public void A_response_without_a_reason_phrase_is_described_by_its_status_alone()
    {
        using var unknown = new HttpResponseMessage((HttpStatusCode)599);
        using var blank = new HttpResponseMessage(HttpStatusCode.BadGateway) { ReasonPhrase = string.Empty };

        Assert.Equal("'p' returned a result handled as a failure: 599.", new HandledResultException("p", unknown).Message);
        Assert.Equal("'p' returned a result handled as a failure: 502.", new HandledResultException("p", blank).Message);
    }

    [Fact]
    public void Discarding_a_result_disposes_it_when_it_is_disposable()
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("body") };

        Outcome<HttpResponseMessage>.Discard(response);
        Outcome<int>.Discard(42);
        Outcome<string?>.Discard(null);

        Assert.Throws<ObjectDisposedException>(() => response.Content.ReadAsStream());
    }

    [Fact]
    public void Discarding_a_result_that_is_only_async_disposable_starts_its_disposal_and_one_that_is_both_is_disposed()
    {
        var asyncOnly = new AsyncOnlyResult(() => ValueTask.CompletedTask);
        var both = new BothDisposable();

        Outcome<AsyncOnlyResult>.Discard(asyncOnly);
        Outcome<BothDisposable>.Discard(both);

        Assert.Equal(1, asyncOnly.DisposeAsyncCalls);
        Assert.Equal((1, 0), (both.DisposeCalls, both.DisposeAsyncCalls));
    }

    [Fact]
    public void A_discarded_results_async_disposal_is_not_waited_for_and_its_failure_later_is_observed()
    {
        const string Marker = "the discarded result's disposal failed later";
        var unobserved = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.InnerExceptions.Any(i => i.Message == Marker))
            {
                unobserved.Enqueue(e.Exception);
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            var gate = new TaskCompletionSource();

            // Only the disposal's own continuation holds the task that fails: nothing of the test's keeps it alive.
            Outcome<AsyncOnlyResult>.Discard(new AsyncOnlyResult(() => new ValueTask(gate.Task.ContinueWith(
                static _ => throw new InvalidOperationException(Marker),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default))));

            // Discard returned with the disposal still running; the disposal fails now.
            gate.SetResult();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            GC.WaitForPendingFinalizers();

            Assert.Empty(unobserved);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    [Fact]
    public void A_discarded_results_async_disposal_that_throws_at_once_is_ignored()
    {
        var result = new AsyncOnlyResult(() => throw new InvalidOperationException("closed twice"));

        Outcome<AsyncOnlyResult>.Discard(result);

        Assert.Equal(1, result.DisposeAsyncCalls);
    }

    [Fact]
    public void A_retry_event_names_its_failure_whether_an_exception_or_a_result()
    {
        var onException = new RetryEventArgs("p", "m", 1, TimeSpan.Zero, new TimeoutException("slow"));
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        var onResult = new RetryEventArgs("p", "m", 2, TimeSpan.Zero, exception: null, response);

        Assert.Equal("TimeoutException: slow", onException.Failure);
        Assert.Null(onException.Result);
        Assert.Equal("429 (Too Many Requests)", onResult.Failure);
        Assert.Same(response, onResult.Result);
        Assert.Null(onResult.Exception);
    }
}

/// <summary>What a failed attempt asked to wait, and how a retry takes it.</summary>
public sealed class RequestedDelayTests
{
    private static readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider s_clock = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Retry_After_in_seconds_is_that_delay()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));

        Assert.Equal(TimeSpan.FromSeconds(7), RequestedDelay.Of(response, s_clock));
    }

    [Fact]
    public void A_negative_Retry_After_in_seconds_asks_for_no_wait()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(-7));

        Assert.Equal(TimeSpan.Zero, RequestedDelay.Of(response, s_clock));
    }

    [Fact]
    public void Retry_After_as_a_date_is_the_time_left_until_it_and_never_negative()
    {
        using var later = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        later.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(s_clock.GetUtcNow().AddSeconds(90));
        using var past = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        past.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(s_clock.GetUtcNow().AddSeconds(-90));

        Assert.Equal(TimeSpan.FromSeconds(90), RequestedDelay.Of(later, s_clock));
        Assert.Equal(TimeSpan.Zero, RequestedDelay.Of(past, s_clock));
    }

    [Fact]
    public void No_header_no_response_and_an_ordinary_exception_ask_nothing()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        Assert.Null(RequestedDelay.Of(response, s_clock));
        Assert.Null(RequestedDelay.Of(null, s_clock));
        Assert.Null(RequestedDelay.Of(new IOException()));
    }

    [Fact]
    public void A_rejection_asks_for_its_RetryAfter()
        => Assert.Equal(TimeSpan.FromSeconds(4), RequestedDelay.Of(new BrokenCircuitException("b", CircuitState.Open, TimeSpan.FromSeconds(4))));

    [Theory]
    [InlineData(500, 500)]
    [InlineData(45_000, 30_000)]
    [InlineData(-5, 0)]
    public void A_retry_waits_an_asked_delay_capped_at_the_maximum_and_never_negative(int askedMs, int expectedMs)
        => Assert.Equal(
            TimeSpan.FromMilliseconds(expectedMs),
            RetryBackoff.GetDelay(BackoffKind.Exponential, 1, 200, 30_000, jitter: true, TimeSpan.FromMilliseconds(askedMs)));

    [Fact]
    public void Nothing_asked_is_the_backoff()
        => Assert.Equal(TimeSpan.FromMilliseconds(400), RetryBackoff.GetDelay(BackoffKind.Exponential, 2, 200, 30_000, jitter: false, requested: null));
}

/// <summary>A result that is only <see cref="IAsyncDisposable"/>, whose disposal does what the test says.</summary>
internal sealed class AsyncOnlyResult(Func<ValueTask> disposal) : IAsyncDisposable
{
    private int _disposeAsyncCalls;

    public int DisposeAsyncCalls => Volatile.Read(ref _disposeAsyncCalls);

    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref _disposeAsyncCalls);
        return disposal();
    }
}

/// <summary>A result that is both <see cref="IDisposable"/> and <see cref="IAsyncDisposable"/>.</summary>
internal sealed class BothDisposable : IDisposable, IAsyncDisposable
{
    public int DisposeCalls { get; private set; }

    public int DisposeAsyncCalls { get; private set; }

    public void Dispose() => DisposeCalls++;

    public ValueTask DisposeAsync()
    {
        DisposeAsyncCalls++;
        return ValueTask.CompletedTask;
    }
}
