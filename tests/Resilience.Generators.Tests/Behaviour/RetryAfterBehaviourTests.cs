using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;

namespace Resilience.Generators.Tests.Behaviour;

public partial class RetryAfterSubject(HttpMessageHandler handler)
{
    private readonly HttpClient _client = new(handler, disposeHandler: false) { BaseAddress = new Uri("http://upstream.test/") };

    public List<(Outcome<HttpResponseMessage> Outcome, int Attempt)> Asked { get; } = new();

    public TimeSpan? Answer { get; set; }

    [Retry(3, DelayMs = 10, MaxDelayMs = 60_000, Backoff = BackoffKind.Constant, Jitter = false)]
    public partial Task<HttpResponseMessage> GetAsync(CancellationToken ct);

    private Task<HttpResponseMessage> GetAsyncCore(CancellationToken ct) => _client.GetAsync("resource", ct);

    [Retry(3, DelayMs = 10, MaxDelayMs = 2_000, Backoff = BackoffKind.Constant, Jitter = false)]
    public partial Task<HttpResponseMessage> CappedAsync(CancellationToken ct);

    private Task<HttpResponseMessage> CappedAsyncCore(CancellationToken ct) => _client.GetAsync("resource", ct);

    [Retry(3, DelayMs = 10, Backoff = BackoffKind.Constant, Jitter = false, DelayGenerator = nameof(AskDelay))]
    public partial Task<HttpResponseMessage> GeneratedAsync(CancellationToken ct);

    private Task<HttpResponseMessage> GeneratedAsyncCore(CancellationToken ct) => _client.GetAsync("resource", ct);

    private TimeSpan? AskDelay(Outcome<HttpResponseMessage> outcome, int attempt)
    {
        Asked.Add((outcome, attempt));
        return Answer;
    }

    [Retry(3, DelayMs = 10, Backoff = BackoffKind.Constant, Jitter = false)]
    [Timeout(1_000, Scope = TimeoutScope.Total)]
    public partial Task<HttpResponseMessage> WithinOneSecondAsync(CancellationToken ct);

    private Task<HttpResponseMessage> WithinOneSecondAsyncCore(CancellationToken ct) => _client.GetAsync("resource", ct);
}

public partial class NestedRejectionSubject
{
    public const string Inner = "nested.inner";
    public const string Outer = "nested.outer";

    public int InnerCalls;

    [CircuitBreaker(1, BreakDurationMs = 5_000, Name = Inner)]
    public partial int InnerCall();

    private int InnerCallCore() => ++InnerCalls == 1 ? throw new IOException("down") : 42;

    [Retry(3, DelayMs = 10, MaxDelayMs = 60_000, Backoff = BackoffKind.Constant, Jitter = false)]
    public partial Task<int> OuterAsync();

    private Task<int> OuterAsyncCore() => Task.FromResult(InnerCall());

    [Retry(3, DelayMs = 10, Backoff = BackoffKind.Constant, Jitter = false)]
    [CircuitBreaker(1, BreakDurationMs = 5_000, Name = Outer)]
    public partial Task<int> OwnBreakerAsync();

    private Task<int> OwnBreakerAsyncCore() => throw new IOException("down");
}

/// <summary>A DelayGenerator asked about exceptions: in an Outcome for a method with a result, alone for one without.</summary>
public partial class DelayGeneratorSubject
{
    /// <summary>How many calls of a core throw before one succeeds.</summary>
    public int Failures { get; set; } = 1;

    public int Calls;

    /// <summary>What the DelayGenerator answers next.</summary>
    public TimeSpan? Answer { get; set; }

    public ConcurrentQueue<(Outcome<int> Outcome, int Attempt)> AskedOutcomes { get; } = new();

    public ConcurrentQueue<(Exception Exception, int Attempt)> AskedExceptions { get; } = new();

    [Retry(3, DelayMs = 10, MaxDelayMs = 2_000, Backoff = BackoffKind.Constant, Jitter = false, DelayGenerator = nameof(AskWithOutcome))]
    public partial Task<int> CappedAsync();

    private Task<int> CappedAsyncCore() => Fail() ? throw new IOException("down") : Task.FromResult(42);

    [Retry(3, DelayMs = 10, Backoff = BackoffKind.Constant, Jitter = false, DelayGenerator = nameof(AskWithException))]
    public partial Task SaveAsync();

    private Task SaveAsyncCore() => Fail() ? throw new IOException("down") : Task.CompletedTask;

    [Retry(3, DelayMs = 10, Backoff = BackoffKind.Constant, Jitter = false, DelayGenerator = nameof(AskWithException))]
    public partial void Save();

    private void SaveCore()
    {
        if (Fail())
        {
            throw new IOException("down");
        }
    }

    private bool Fail() => Interlocked.Increment(ref Calls) <= Failures;

    private TimeSpan? AskWithOutcome(Outcome<int> outcome, int attempt)
    {
        AskedOutcomes.Enqueue((outcome, attempt));
        return Answer;
    }

    private TimeSpan? AskWithException(Exception exception, int attempt)
    {
        AskedExceptions.Enqueue((exception, attempt));
        return Answer;
    }
}

/// <summary>Responses with a Retry-After header: a status, then 200.</summary>
public sealed class RetryAfterHandler(HttpStatusCode status, Action<HttpResponseHeaders> retryAfter, int failures = 1) : HttpMessageHandler
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = new HttpResponseMessage(Interlocked.Increment(ref _requests) <= failures ? status : HttpStatusCode.OK);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            retryAfter(response.Headers);
        }

        return Task.FromResult(response);
    }
}

/// <summary>A retry waits what the dependency asked for: Retry-After, a nested rejection's RetryAfter, a DelayGenerator's answer.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RetryAfterBehaviourTests : RegistryTest
{
    [Fact]
    public async Task A_429_with_Retry_After_in_seconds_is_retried_after_that_many_seconds()
    {
        var handler = new RetryAfterHandler(HttpStatusCode.TooManyRequests, h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3)));
        var subject = new RetryAfterSubject(handler);

        Task<HttpResponseMessage> call = subject.GetAsync(CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(2_999));
        Assert.Equal(1, handler.Requests);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        using HttpResponseMessage response = await call.WaitAsync(HangGuard);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, handler.Requests);
    }

    [Fact]
    public async Task A_503_with_Retry_After_as_a_date_is_retried_at_that_date_on_the_registrys_clock()
    {
        DateTimeOffset now = Clock.GetUtcNow();
        var handler = new RetryAfterHandler(HttpStatusCode.ServiceUnavailable, h => h.RetryAfter = new RetryConditionHeaderValue(now.AddSeconds(5)));
        var subject = new RetryAfterSubject(handler);

        Task<HttpResponseMessage> call = subject.GetAsync(CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(4_999));
        Assert.Equal(1, handler.Requests);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        using HttpResponseMessage response = await call.WaitAsync(HangGuard);
        Assert.Equal(2, handler.Requests);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_MaxDelayMs_is_capped()
    {
        var handler = new RetryAfterHandler(HttpStatusCode.TooManyRequests, h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30)));
        var subject = new RetryAfterSubject(handler);

        Task<HttpResponseMessage> call = subject.CappedAsync(CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(2_000));

        using HttpResponseMessage response = await call.WaitAsync(HangGuard);
        Assert.Equal(2, handler.Requests);
    }

    [Fact]
    public async Task A_DelayGenerator_answer_is_the_delay_and_null_leaves_the_backoff()
    {
        var handler = new RetryAfterHandler(HttpStatusCode.ServiceUnavailable, h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30)), failures: 2);
        var subject = new RetryAfterSubject(handler) { Answer = TimeSpan.FromMilliseconds(700) };

        Task<HttpResponseMessage> call = subject.GeneratedAsync(CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(699));
        Assert.Equal(1, handler.Requests);
        subject.Answer = null;
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        // Asked again, it answers null: the response's Retry-After (30 s) applies, not the 10 ms backoff.
        WaitForTimers(2);
        Clock.Advance(TimeSpan.FromMilliseconds(29_999));
        Assert.Equal(2, handler.Requests);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        using HttpResponseMessage response = await call.WaitAsync(HangGuard);
        Assert.Equal(3, handler.Requests);
        Assert.Equal(new[] { 1, 2 }, subject.Asked.Select(a => a.Attempt));
        Assert.All(subject.Asked, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Outcome.Result.StatusCode));
    }

    [Fact]
    public async Task A_DelayGenerator_asked_about_an_exception_is_capped_at_MaxDelayMs()
    {
        var subject = new DelayGeneratorSubject { Answer = TimeSpan.FromSeconds(30) };

        Task<int> call = subject.CappedAsync();
        WaitForDelay(Ms(2_000));
        Clock.Advance(Ms(1_999));
        Assert.False(call.IsCompleted);
        Assert.Equal(1, subject.Calls);
        Clock.Advance(Ms(1));

        Assert.Equal(42, await call.WaitAsync(HangGuard));
        Assert.Equal(0, Clock.TimersCreatedDue(TimeSpan.FromSeconds(30)));
        (Outcome<int> outcome, int attempt) = Assert.Single(subject.AskedOutcomes);
        Assert.True(outcome.IsException);
        Assert.Equal("down", Assert.IsType<IOException>(outcome.Exception).Message);
        Assert.Equal(1, attempt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_method_without_a_result_asks_its_DelayGenerator_with_the_exception_and_null_leaves_the_backoff(bool synchronous)
    {
        var subject = new DelayGeneratorSubject { Failures = 2, Answer = Ms(700) };

        Task call = synchronous ? Task.Run(subject.Save) : subject.SaveAsync();
        WaitForDelay(Ms(700));
        Clock.Advance(Ms(699));
        Assert.Equal(1, subject.Calls);
        subject.Answer = null;
        Clock.Advance(Ms(1));

        // Asked again, it answers null: the constant backoff (10 ms) applies.
        WaitForDelay(Ms(10));
        Assert.Equal(2, subject.Calls);
        Clock.Advance(Ms(10));

        await call.WaitAsync(HangGuard);
        Assert.Equal(3, subject.Calls);
        Assert.Equal(new[] { 1, 2 }, subject.AskedExceptions.Select(a => a.Attempt));
        Assert.All(subject.AskedExceptions, a => Assert.Equal("down", Assert.IsType<IOException>(a.Exception).Message));
    }

    [Fact]
    public async Task A_Retry_After_the_total_timeout_would_cut_short_returns_the_response_at_once()
    {
        var handler = new RetryAfterHandler(HttpStatusCode.TooManyRequests, h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(2)));
        var subject = new RetryAfterSubject(handler);

        using HttpResponseMessage response = await subject.WithinOneSecondAsync(CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, handler.Requests);
    }

    [Fact]
    public async Task A_nested_calls_rejection_is_retried_after_its_RetryAfter()
    {
        var subject = new NestedRejectionSubject();
        Assert.Throws<IOException>(() => subject.InnerCall());
        Assert.Equal(CircuitState.Open, Registry.CircuitBreaker(NestedRejectionSubject.Inner).State);

        Task<int> call = subject.OuterAsync();
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(4_999));
        Assert.False(call.IsCompleted);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(42, await call.WaitAsync(HangGuard));
        Assert.Equal(2, subject.InnerCalls);
    }

    [Fact]
    public async Task The_methods_own_breakers_rejection_is_not_retried()
    {
        var subject = new NestedRejectionSubject();

        // The first attempt fails and opens the breaker; the retry's second attempt is refused by it, and that
        // refusal ends the call: no third attempt is waited for.
        Task<int> call = subject.OwnBreakerAsync();
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(10));

        await Assert.ThrowsAsync<BrokenCircuitException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(1, Clock.TimersCreated);
    }
}
