using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>Methods whose results, not only their exceptions, can be failures: a <c>HandleResult</c> method, or an HTTP status.</summary>
public partial class ResultSubject
{
    /// <summary>The results the cores return, one per call, the last repeated.</summary>
    public int[] Results { get; set; } = { 1 };

    public int Calls;

    public ConcurrentQueue<(Outcome<int> Outcome, int Attempt)> HeardOutcomes { get; } = new();

    public ConcurrentQueue<Exception> HeardExceptions { get; } = new();

    public Outcome<int>? FallbackOutcome;

    public Exception? FallbackError;

    private int Next() => Results[Math.Min(Interlocked.Increment(ref Calls), Results.Length) - 1];

    private static bool IsNegative(int value) => value < 0;

    [Retry(3, DelayMs = 0, HandleResult = nameof(IsNegative))]
    public partial int Retried();

    private int RetriedCore() => Next();

    [Retry(3, DelayMs = 0, HandleResult = nameof(IsNegative))]
    public partial Task<int> RetriedAsync();

    private Task<int> RetriedAsyncCore() => Task.FromResult(Next());

    [Retry(3, DelayMs = 0, HandleResult = nameof(IsNegative))]
    public partial ValueTask<int> RetriedValueTaskAsync();

    private ValueTask<int> RetriedValueTaskAsyncCore() => new(Next());

    [Retry(3, DelayMs = 0, HandleResult = nameof(IsNegative))]
    public partial Task<int> RetriedLaterAsync();

    private async Task<int> RetriedLaterAsyncCore()
    {
        await Task.Yield();
        return Next();
    }

    [Retry(3, DelayMs = 0, HandleResult = nameof(IsNegative), OnRetry = nameof(HearOutcome))]
    public partial int HeardByOutcome();

    private int HeardByOutcomeCore() => Next() is var result && result == 0 ? throw new InvalidOperationException("zero") : result;

    private void HearOutcome(Outcome<int> outcome, int attempt, TimeSpan delay) => HeardOutcomes.Enqueue((outcome, attempt));

    [Retry(3, DelayMs = 0, HandleResult = nameof(IsNegative), OnRetry = nameof(HearException))]
    public partial int HeardByException();

    private int HeardByExceptionCore() => Next() is var result && result == 0 ? throw new InvalidOperationException("zero") : result;

    private void HearException(Exception exception, int attempt, TimeSpan delay) => HeardExceptions.Enqueue(exception);

    [Retry(2, DelayMs = 100, Backoff = BackoffKind.Constant, Jitter = false, HandleResult = nameof(IsNegative))]
    public partial Task<int> DelayedAsync();

    private Task<int> DelayedAsyncCore() => Task.FromResult(Next());

    [CircuitBreaker(2, Name = "results.breaker", HandleResult = nameof(IsNegative))]
    public partial int Counted();

    private int CountedCore() => Next();

    [Fallback(nameof(FromOutcome), HandleResult = nameof(IsNegative))]
    public partial Task<int> AnsweredWithOutcomeAsync();

    private Task<int> AnsweredWithOutcomeAsyncCore() => Task.FromResult(Next());

    private int FromOutcome(Outcome<int> outcome)
    {
        FallbackOutcome = outcome;
        return 100;
    }

    [Fallback(nameof(FromException), HandleResult = nameof(IsNegative))]
    public partial int AnsweredWithException();

    private int AnsweredWithExceptionCore() => Next();

    private int FromException(Exception error)
    {
        FallbackError = error;
        return 200;
    }

    /// <summary>Results the async-disposable core made, in order.</summary>
    public ConcurrentQueue<AsyncDisposableResult> Made { get; } = new();

    /// <summary>A sealed result that is only <see cref="IAsyncDisposable"/>: a failed one is let go of through <c>DisposeAsync</c>.</summary>
    [Retry(3, DelayMs = 0, HandleResult = nameof(IsFailed))]
    public partial AsyncDisposableResult RetriedAsyncDisposable();

    private AsyncDisposableResult RetriedAsyncDisposableCore()
    {
        var made = new AsyncDisposableResult(Next());
        Made.Enqueue(made);
        return made;
    }

    private static bool IsFailed(AsyncDisposableResult result) => result.Value < 0;

    [Retry(2, DelayMs = 0, HandleResult = nameof(IsNegative))]
    [Fallback(nameof(Zero))]
    public partial int RetriedThenPassedOn();

    private int RetriedThenPassedOnCore() => Next();

    private int Zero() => 0;

    /// <summary>The result this instance's judge takes for a failure: each instance judges by its own.</summary>
    public int FailureValue { get; set; } = int.MinValue;

    private bool IsFailureValue(int value) => value == FailureValue;

    [Retry(3, DelayMs = 0, HandleResult = nameof(IsFailureValue))]
    public partial int RetriedByInstanceJudge();

    private int RetriedByInstanceJudgeCore() => Next();

    [CircuitBreaker(2, Name = "results.instance-judge", HandleResult = nameof(IsFailureValue))]
    public partial int CountedByInstanceJudge();

    private int CountedByInstanceJudgeCore() => Next();

    [Fallback(nameof(FromOutcome), HandleResult = nameof(IsFailureValue))]
    public partial int AnsweredByInstanceJudge();

    private int AnsweredByInstanceJudgeCore() => Next();
}

public partial class HttpSubject(HttpMessageHandler handler)
{
    private readonly HttpClient _client = new(handler, disposeHandler: false) { BaseAddress = new Uri("http://upstream.test/") };

    [Retry(3, DelayMs = 0)]
    [CircuitBreaker(10, Name = "http.upstream")]
    public partial Task<HttpResponseMessage> GetAsync(string path, CancellationToken ct);

    private Task<HttpResponseMessage> GetAsyncCore(string path, CancellationToken ct) => _client.GetAsync(path, ct);

    [Retry(3, DelayMs = 0)]
    public partial Task<string> GetStringAsync(string path, CancellationToken ct);

    private Task<string> GetStringAsyncCore(string path, CancellationToken ct) => _client.GetStringAsync(path, ct);

    [Retry(2, DelayMs = 0)]
    [Fallback(nameof(Unavailable))]
    public partial Task<HttpResponseMessage> GetOrFallBackAsync(string path, CancellationToken ct);

    private Task<HttpResponseMessage> GetOrFallBackAsyncCore(string path, CancellationToken ct) => _client.GetAsync(path, ct);

    public Outcome<HttpResponseMessage>? FallbackOutcome;

    private HttpResponseMessage Unavailable(string path, CancellationToken ct, Outcome<HttpResponseMessage> outcome)
    {
        FallbackOutcome = outcome;
        return new HttpResponseMessage(HttpStatusCode.OK) { ReasonPhrase = "from the fallback" };
    }

    [Retry(3, DelayMs = 0)]
    [CircuitBreaker(10, Name = "http.upstream.synchronous")]
    public partial HttpResponseMessage Get(string path);

    private HttpResponseMessage GetCore(string path) => _client.Send(new HttpRequestMessage(HttpMethod.Get, path));

    [Retry(3, DelayMs = 0)]
    [CircuitBreaker(10, Name = "http.upstream.value-task")]
    public partial ValueTask<HttpResponseMessage> GetValueTaskAsync(string path, CancellationToken ct);

    private ValueTask<HttpResponseMessage> GetValueTaskAsyncCore(string path, CancellationToken ct) => new(_client.GetAsync(path, ct));

    [Retry(2, DelayMs = 0)]
    [Fallback(nameof(UnavailableNow))]
    public partial HttpResponseMessage GetOrFallBack(string path);

    private HttpResponseMessage GetOrFallBackCore(string path) => _client.Send(new HttpRequestMessage(HttpMethod.Get, path));

    private HttpResponseMessage UnavailableNow(string path, Outcome<HttpResponseMessage> outcome)
    {
        FallbackOutcome = outcome;
        return new HttpResponseMessage(HttpStatusCode.OK) { ReasonPhrase = "from the fallback" };
    }

    [Retry(2, DelayMs = 0)]
    [Fallback(nameof(Unavailable))]
    public partial ValueTask<HttpResponseMessage> GetOrFallBackValueTaskAsync(string path, CancellationToken ct);

    private ValueTask<HttpResponseMessage> GetOrFallBackValueTaskAsyncCore(string path, CancellationToken ct) => new(_client.GetAsync(path, ct));
}

/// <summary>The shapes of a method returning <see cref="HttpResponseMessage"/>: bare, <c>Task&lt;&gt;</c> and <c>ValueTask&lt;&gt;</c>.</summary>
public enum HttpShape
{
    Synchronous,
    Task,
    ValueTask,
}

/// <summary>A result that is only <see cref="IAsyncDisposable"/>, and sealed: the generator sees that only through the interface.</summary>
public sealed class AsyncDisposableResult(int value) : IAsyncDisposable
{
    private int _disposals;

    public int Value { get; } = value;

    public bool Disposed => Volatile.Read(ref _disposals) > 0;

    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref _disposals);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Answers each request with the next scripted status, the last one repeated, and remembers every response it made.</summary>
public sealed class ScriptedHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
{
    private int _requests;

    public ConcurrentQueue<TrackedResponse> Responses { get; } = new();

    public int Requests => Volatile.Read(ref _requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => Task.FromResult(Send(request, cancellationToken));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int index = Math.Min(Interlocked.Increment(ref _requests), statuses.Length) - 1;
        var response = new TrackedResponse(statuses[index]) { RequestMessage = request, Content = new StringContent("body") };
        Responses.Enqueue(response);
        return response;
    }
}

/// <summary>A response that knows whether it was disposed.</summary>
public sealed class TrackedResponse(HttpStatusCode status) : HttpResponseMessage(status)
{
    public bool Disposed { get; private set; }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

[Collection(RegistryCollection.Name)]
public sealed class ResultBehaviourTests : RegistryTest
{
    [Fact]
    public void A_result_judged_a_failure_is_retried_without_an_exception()
    {
        var subject = new ResultSubject { Results = new[] { -1, -2, 7 } };
        using var rejections = new FirstChanceExceptions();

        Assert.Equal(7, subject.Retried());
        Assert.Equal(3, subject.Calls);
        Assert.Equal(0, rejections.Count);
    }

    [Fact]
    public async Task Asynchronous_methods_retry_a_failed_result_whether_it_completed_at_once_or_later()
    {
        var task = new ResultSubject { Results = new[] { -1, 5 } };
        var valueTask = new ResultSubject { Results = new[] { -1, 6 } };
        var later = new ResultSubject { Results = new[] { -1, -1, 8 } };

        Assert.Equal(5, await task.RetriedAsync());
        Assert.Equal(6, await valueTask.RetriedValueTaskAsync());
        Assert.Equal(8, await later.RetriedLaterAsync());
        Assert.Equal((2, 2, 3), (task.Calls, valueTask.Calls, later.Calls));
    }

    [Fact]
    public async Task When_the_attempts_run_out_the_caller_gets_the_last_result()
    {
        var subject = new ResultSubject { Results = new[] { -1, -2, -3, 9 } };

        Assert.Equal(-3, subject.Retried());
        Assert.Equal(3, subject.Calls);

        var asynchronous = new ResultSubject { Results = new[] { -4 } };
        Assert.Equal(-4, await asynchronous.RetriedAsync());
        Assert.Equal(3, asynchronous.Calls);
    }

    [Fact]
    public async Task A_failed_result_waits_the_backoff_before_the_next_attempt()
    {
        var subject = new ResultSubject { Results = new[] { -1, 3 } };

        Task<int> call = subject.DelayedAsync();
        WaitForTimers(1);
        Assert.False(call.IsCompleted);
        Assert.Equal(1, subject.Calls);

        Clock.Advance(Ms(100));
        Assert.Equal(3, await call.WaitAsync(HangGuard));
    }

    [Fact]
    public void An_OnRetry_that_takes_the_outcome_hears_of_results_and_exceptions()
    {
        var subject = new ResultSubject { Results = new[] { -1, 0, 4 } };

        Assert.Equal(4, subject.HeardByOutcome());

        (Outcome<int> Outcome, int Attempt)[] heard = subject.HeardOutcomes.ToArray();
        Assert.Equal(2, heard.Length);
        Assert.False(heard[0].Outcome.IsException);
        Assert.Equal(-1, heard[0].Outcome.Result);
        Assert.Equal(1, heard[0].Attempt);
        Assert.True(heard[1].Outcome.IsException);
        Assert.Equal("zero", heard[1].Outcome.Exception!.Message);
        Assert.Equal(2, heard[1].Attempt);
    }

    [Fact]
    public void An_OnRetry_that_takes_an_exception_hears_of_exceptions_only()
    {
        var subject = new ResultSubject { Results = new[] { -1, 0, 4 } };

        Assert.Equal(4, subject.HeardByException());

        Exception heard = Assert.Single(subject.HeardExceptions);
        Assert.Equal("zero", heard.Message);
    }

    [Fact]
    public void A_breaker_counts_a_result_judged_a_failure_and_opens_on_them()
    {
        var subject = new ResultSubject { Results = new[] { 1, -1, -1, 1 } };

        Assert.Equal(1, subject.Counted());
        Assert.Equal(-1, subject.Counted());
        Assert.Equal(-1, subject.Counted());

        CircuitBreakerState breaker = Registry.CircuitBreaker("results.breaker");
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal((1, 2), (breaker.GetMetrics().Successes, breaker.GetMetrics().Failures));
        Assert.Throws<BrokenCircuitException>(() => subject.Counted());
        Assert.Equal(3, subject.Calls);
    }

    [Fact]
    public async Task A_fallback_that_takes_the_outcome_answers_a_failed_result_with_it()
    {
        var subject = new ResultSubject { Results = new[] { -5 } };

        Assert.Equal(100, await subject.AnsweredWithOutcomeAsync());

        Assert.NotNull(subject.FallbackOutcome);
        Assert.False(subject.FallbackOutcome!.Value.IsException);
        Assert.Equal(-5, subject.FallbackOutcome.Value.Result);
    }

    [Fact]
    public void A_fallback_that_takes_an_exception_gets_one_describing_the_failed_result_never_thrown()
    {
        var subject = new ResultSubject { Results = new[] { -6 } };
        using var thrown = new FirstChanceExceptions();

        Assert.Equal(200, subject.AnsweredWithException());

        HandledResultException error = Assert.IsType<HandledResultException>(subject.FallbackError);
        Assert.Equal(-6, error.Result);
        Assert.Equal("Resilience.Generators.Tests.Behaviour.ResultSubject.AnsweredWithException", error.PolicyName);
        Assert.Contains("returned a result handled as a failure: -6", error.Message);
        Assert.Equal(0, thrown.Count);
    }

    [Fact]
    public void A_result_the_fallback_does_not_judge_is_returned_even_after_the_retries_run_out()
    {
        var subject = new ResultSubject { Results = new[] { -1, -2 } };

        Assert.Equal(-2, subject.RetriedThenPassedOn());
        Assert.Equal(2, subject.Calls);
    }

    [Fact]
    public void A_failed_result_that_is_only_async_disposable_is_disposed_before_the_next_attempt()
    {
        var subject = new ResultSubject { Results = new[] { -1, -2, 3 } };

        AsyncDisposableResult result = subject.RetriedAsyncDisposable();

        Assert.Equal(3, result.Value);
        AsyncDisposableResult[] made = subject.Made.ToArray();
        Assert.True(made[0].Disposed && made[1].Disposed, "the failed results were disposed before the next attempt");
        Assert.False(result.Disposed);
    }

    [Fact]
    public void An_instance_HandleResult_judges_by_its_own_instances_state_for_the_retry()
    {
        var fiveFails = new ResultSubject { Results = new[] { 5, 6 }, FailureValue = 5 };
        var sixFails = new ResultSubject { Results = new[] { 5, 6 }, FailureValue = 6 };

        Assert.Equal(6, fiveFails.RetriedByInstanceJudge());
        Assert.Equal(2, fiveFails.Calls);
        Assert.Equal(5, sixFails.RetriedByInstanceJudge());
        Assert.Equal(1, sixFails.Calls);

        // The judge reads the state as it is at each call.
        fiveFails.FailureValue = 6;
        fiveFails.Results = new[] { 6, 6, 7 };
        fiveFails.Calls = 0;
        Assert.Equal(7, fiveFails.RetriedByInstanceJudge());
        Assert.Equal(3, fiveFails.Calls);
    }

    [Fact]
    public void An_instance_HandleResult_judges_by_its_own_instances_state_for_the_breaker()
    {
        var fiveFails = new ResultSubject { Results = new[] { 5 }, FailureValue = 5 };
        var sevenFails = new ResultSubject { Results = new[] { 5 }, FailureValue = 7 };
        CircuitBreakerState breaker = Registry.CircuitBreaker("results.instance-judge");

        Assert.Equal(5, sevenFails.CountedByInstanceJudge());
        Assert.Equal(5, fiveFails.CountedByInstanceJudge());
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(5, fiveFails.CountedByInstanceJudge());

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal((1, 2), (breaker.GetMetrics().Successes, breaker.GetMetrics().Failures));
        Assert.Throws<BrokenCircuitException>(() => sevenFails.CountedByInstanceJudge());
    }

    [Fact]
    public void An_instance_HandleResult_judges_by_its_own_instances_state_for_the_fallback()
    {
        var threeFails = new ResultSubject { Results = new[] { 3 }, FailureValue = 3 };
        var fourFails = new ResultSubject { Results = new[] { 3 }, FailureValue = 4 };

        Assert.Equal(100, threeFails.AnsweredByInstanceJudge());
        Assert.Equal(3, threeFails.FallbackOutcome!.Value.Result);
        Assert.Equal(3, fourFails.AnsweredByInstanceJudge());
        Assert.Null(fourFails.FallbackOutcome);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task A_response_of_408_429_or_5xx_is_a_failure_retried_and_disposed(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(status, status, HttpStatusCode.OK);
        var subject = new HttpSubject(handler);

        using HttpResponseMessage response = await subject.GetAsync("receipts/1", CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, handler.Requests);
        TrackedResponse[] made = handler.Responses.ToArray();
        Assert.True(made[0].Disposed && made[1].Disposed, "the failed responses were disposed before the next attempt");
        Assert.False(made[2].Disposed);
        CircuitBreakerMetrics metrics = Registry.CircuitBreaker("http.upstream").GetMetrics();
        Assert.Equal((1, 2), (metrics.Successes, metrics.Failures));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.OK)]
    public async Task A_response_of_another_status_is_returned_at_once(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(status);
        var subject = new HttpSubject(handler);

        using HttpResponseMessage response = await subject.GetAsync("receipts/1", CancellationToken.None);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(1, handler.Requests);
        Assert.Equal(0, Registry.CircuitBreaker("http.upstream").GetMetrics().Failures);
    }

    [Fact]
    public async Task When_the_attempts_run_out_on_a_503_the_caller_gets_that_response_undisposed()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable);
        var subject = new HttpSubject(handler);

        using HttpResponseMessage response = await subject.GetAsync("receipts/1", CancellationToken.None);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, handler.Requests);
        Assert.Equal("body", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_HttpRequestException_for_a_client_error_is_not_retried_and_one_for_a_server_error_is()
    {
        var notFound = new ScriptedHandler(HttpStatusCode.NotFound, HttpStatusCode.OK);
        HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => new HttpSubject(notFound).GetStringAsync("missing", CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal(1, notFound.Requests);

        var unavailable = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        Assert.Equal("body", await new HttpSubject(unavailable).GetStringAsync("flaky", CancellationToken.None));
        Assert.Equal(2, unavailable.Requests);
    }

    [Fact]
    public async Task A_fallback_that_takes_the_outcome_answers_a_503_after_the_retries_and_gets_the_response()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable);
        var subject = new HttpSubject(handler);

        using HttpResponseMessage response = await subject.GetOrFallBackAsync("receipts/1", CancellationToken.None);

        Assert.Equal("from the fallback", response.ReasonPhrase);
        Assert.Equal(2, handler.Requests);
        HttpResponseMessage failed = subject.FallbackOutcome!.Value.Result;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.False(((TrackedResponse)failed).Disposed, "the fallback owns the response it was given");
    }

    [Theory]
    [InlineData(HttpShape.Synchronous)]
    [InlineData(HttpShape.Task)]
    [InlineData(HttpShape.ValueTask)]
    public async Task A_503_is_retried_disposed_and_counted_by_the_breaker_whatever_the_methods_shape(HttpShape shape)
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var subject = new HttpSubject(handler);

        using HttpResponseMessage response = await GetAsync(subject, shape);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, handler.Requests);
        TrackedResponse[] made = handler.Responses.ToArray();
        Assert.True(made[0].Disposed && made[1].Disposed, "the failed responses were disposed before the next attempt");
        Assert.False(made[2].Disposed);
        CircuitBreakerMetrics metrics = Registry.CircuitBreaker(BreakerOf(shape)).GetMetrics();
        Assert.Equal((1, 2), (metrics.Successes, metrics.Failures));
    }

    [Theory]
    [InlineData(HttpShape.Synchronous)]
    [InlineData(HttpShape.ValueTask)]
    public async Task When_the_attempts_run_out_on_a_503_the_caller_gets_that_response_undisposed_whatever_the_methods_shape(HttpShape shape)
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable);
        var subject = new HttpSubject(handler);

        using HttpResponseMessage response = await GetAsync(subject, shape);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, handler.Requests);
        TrackedResponse[] made = handler.Responses.ToArray();
        Assert.Same(made[2], response);
        Assert.True(made[0].Disposed && made[1].Disposed);
        Assert.False(made[2].Disposed);
        Assert.Equal("body", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, Registry.CircuitBreaker(BreakerOf(shape)).GetMetrics().Failures);
    }

    [Theory]
    [InlineData(HttpShape.Synchronous)]
    [InlineData(HttpShape.ValueTask)]
    public async Task A_response_of_404_is_returned_at_once_and_not_counted_whatever_the_methods_shape(HttpShape shape)
    {
        var handler = new ScriptedHandler(HttpStatusCode.NotFound);
        var subject = new HttpSubject(handler);

        using HttpResponseMessage response = await GetAsync(subject, shape);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(1, handler.Requests);
        Assert.False(((TrackedResponse)response).Disposed);
        CircuitBreakerMetrics metrics = Registry.CircuitBreaker(BreakerOf(shape)).GetMetrics();
        Assert.Equal((1, 0), (metrics.Successes, metrics.Failures));
    }

    [Theory]
    [InlineData(HttpShape.Synchronous)]
    [InlineData(HttpShape.ValueTask)]
    public async Task A_fallback_that_takes_the_outcome_answers_a_503_after_the_retries_whatever_the_methods_shape(HttpShape shape)
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable);
        var subject = new HttpSubject(handler);

        using HttpResponseMessage response = shape == HttpShape.Synchronous
            ? subject.GetOrFallBack("receipts/1")
            : await subject.GetOrFallBackValueTaskAsync("receipts/1", CancellationToken.None);

        Assert.Equal("from the fallback", response.ReasonPhrase);
        Assert.Equal(2, handler.Requests);
        TrackedResponse[] made = handler.Responses.ToArray();
        Assert.True(made[0].Disposed, "the response retried was disposed");
        Assert.Same(made[1], subject.FallbackOutcome!.Value.Result);
        Assert.False(made[1].Disposed, "the fallback owns the response it was given");
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpSubject subject, HttpShape shape) => shape switch
    {
        HttpShape.Synchronous => subject.Get("receipts/1"),
        HttpShape.Task => await subject.GetAsync("receipts/1", CancellationToken.None),
        _ => await subject.GetValueTaskAsync("receipts/1", CancellationToken.None),
    };

    private static string BreakerOf(HttpShape shape) => shape switch
    {
        HttpShape.Synchronous => "http.upstream.synchronous",
        HttpShape.Task => "http.upstream",
        _ => "http.upstream.value-task",
    };
}

/// <summary>Counts every exception thrown (first-chance) by the code of the test that created it.</summary>
public sealed class FirstChanceExceptions : IDisposable
{
    private static readonly AsyncLocal<FirstChanceExceptions?> s_current = new();
    private int _count;

    public FirstChanceExceptions()
    {
        s_current.Value = this;
        AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;
    }

    public int Count => Volatile.Read(ref _count);

    public void Dispose()
    {
        AppDomain.CurrentDomain.FirstChanceException -= OnFirstChance;
        s_current.Value = null;
    }

    private void OnFirstChance(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
    {
        if (ReferenceEquals(s_current.Value, this))
        {
            Interlocked.Increment(ref _count);
        }
    }
}
