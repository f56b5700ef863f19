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
    public void Discarding_a_result_disposes_it_when_it_is_disposable()
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("body") };

        Outcome<HttpResponseMessage>.Discard(response);
        Outcome<int>.Discard(42);
        Outcome<string?>.Discard(null);

        Assert.Throws<ObjectDisposedException>(() => response.Content.ReadAsStream());
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
