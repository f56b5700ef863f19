using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using System.Collections.Concurrent;
using System.Net;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>One call of a hedged core: the token it received, and its outcome, set by the test.</summary>
public sealed class HedgedCall
{
    private readonly bool _ignoresCancellation;

    public HedgedCall(CancellationToken token, bool ignoresCancellation)
    {
        Token = token;
        _ignoresCancellation = ignoresCancellation;
    }

    public CancellationToken Token { get; }

    public TaskCompletionSource<HttpResponseMessage> Response { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Whether the hedged attempt that made this call has reported its end to the race, after everything inside the
    /// hedging judged it: the race then disposes the attempt's token source, whose wait handle can no longer be read.
    /// </summary>
    public bool Reported
    {
        get
        {
            try
            {
                _ = Token.WaitHandle;
                return false;
            }
            catch (ObjectDisposedException)
            {
                return true;
            }
        }
    }

    /// <summary>Answers with the response the test sets, or, once the token is cancelled, with the cancellation (as HttpClient does) unless it ignores it.</summary>
    public async Task<HttpResponseMessage> RunAsync()
    {
        using CancellationTokenRegistration registration = _ignoresCancellation ? default : Token.Register(() => Response.TrySetCanceled(Token));
        return await Response.Task.ConfigureAwait(false);
    }
}

public partial class HedgingSubject
{
    private int _fallbacks;

    public ConcurrentQueue<HedgedCall> Calls { get; } = new();

    public HedgedCall Call(int number) => Calls.ElementAt(number - 1);

    public int Fallbacks => Volatile.Read(ref _fallbacks);

    /// <summary>True to make the cores ignore their token, as a dependency that answers anyway does.</summary>
    public bool IgnoreCancellation { get; set; }

    [Hedging(3, DelayMs = 100)]
    [Idempotent]
    public partial Task<HttpResponseMessage> GetAsync(string path, CancellationToken ct);

    private Task<HttpResponseMessage> GetAsyncCore(string path, CancellationToken ct) => Start(ct);

    [Hedging(3, DelayMs = 0)]
    [Idempotent]
    public partial ValueTask<HttpResponseMessage> GetAllAtOnceAsync(CancellationToken ct);

    private ValueTask<HttpResponseMessage> GetAllAtOnceAsyncCore(CancellationToken ct) => new(Start(ct));

    [Hedging(2, DelayMs = System.Threading.Timeout.Infinite)]
    [Idempotent]
    public partial Task<HttpResponseMessage> GetOnFailureAsync(CancellationToken ct);

    private Task<HttpResponseMessage> GetOnFailureAsyncCore(CancellationToken ct) => Start(ct);

    [Hedging(2, DelayMs = 100)]
    [CircuitBreaker(1, Name = "hedged-breaker")]
    [Idempotent]
    public partial Task<HttpResponseMessage> GetThroughBreakerAsync(CancellationToken ct);

    private Task<HttpResponseMessage> GetThroughBreakerAsyncCore(CancellationToken ct) => Start(ct);

    [Hedging(2, DelayMs = 100)]
    [Retry(2, DelayMs = 10, Jitter = false)]
    [Idempotent]
    public partial Task<HttpResponseMessage> GetRetriedAsync(CancellationToken ct);

    private Task<HttpResponseMessage> GetRetriedAsyncCore(CancellationToken ct) => Start(ct);

    [Hedging(2, DelayMs = 100)]
    [Timeout(250, Scope = TimeoutScope.Total)]
    [Idempotent]
    public partial Task<HttpResponseMessage> GetWithinTotalAsync(CancellationToken ct);

    private Task<HttpResponseMessage> GetWithinTotalAsyncCore(CancellationToken ct) => Start(ct);

    [Hedging(2, DelayMs = 0)]
    [Fallback(nameof(Unavailable))]
    [Idempotent]
    public partial Task<HttpResponseMessage> GetOrFallBackAsync(CancellationToken ct);

    private Task<HttpResponseMessage> GetOrFallBackAsyncCore(CancellationToken ct) => Start(ct);

    [Hedging(2, DelayMs = 0, HandleResult = nameof(IsNegative))]
    [Idempotent]
    public partial Task<int> CountAsync(CancellationToken ct);

    private async Task<int> CountAsyncCore(CancellationToken ct)
    {
        using HttpResponseMessage response = await Start(ct).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    [Hedging(2, DelayMs = 100)]
    [Idempotent]
    public partial ValueTask PingAsync(CancellationToken ct);

    private async ValueTask PingAsyncCore(CancellationToken ct)
    {
        using HttpResponseMessage response = await Start(ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    private static bool IsNegative(int status) => status >= 500;

    private HttpResponseMessage Unavailable(CancellationToken ct, Exception error)
    {
        Interlocked.Increment(ref _fallbacks);
        return new HttpResponseMessage(HttpStatusCode.NoContent);
    }

    private Task<HttpResponseMessage> Start(CancellationToken ct)
    {
        var call = new HedgedCall(ct, IgnoreCancellation);
        Calls.Enqueue(call);
        return call.RunAsync();
    }
}

[Collection(RegistryCollection.Name)]
public sealed class HedgingBehaviourTests : RegistryTest
{
    private readonly HedgingSubject _subject = new();

    [Fact]
    public async Task A_first_attempt_that_answers_within_the_delay_is_the_only_one()
    {
        Task<HttpResponseMessage> call = _subject.GetAsync("/a", CancellationToken.None);
        Clock.Advance(Ms(99));
        _subject.Call(1).Response.SetResult(new TrackedResponse(HttpStatusCode.OK));

        Assert.Equal(HttpStatusCode.OK, (await call.WaitAsync(HangGuard)).StatusCode);
        Assert.Single(_subject.Calls);
    }

    [Fact]
    public async Task A_slow_first_attempt_is_hedged_after_the_delay_and_cancelled_when_the_second_answers()
    {
        Task<HttpResponseMessage> call = _subject.GetAsync("/a", CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(Ms(100));
        WaitUntil(() => _subject.Calls.Count == 2, "the second attempt started");
        var second = new TrackedResponse(HttpStatusCode.OK);
        _subject.Call(2).Response.SetResult(second);

        Assert.Same(second, await call.WaitAsync(HangGuard));
        Assert.True(_subject.Call(1).Token.IsCancellationRequested, "The first attempt's token was not cancelled.");
        Assert.False(second.Disposed);
        Assert.Equal(2, _subject.Calls.Count);
    }

    [Fact]
    public async Task A_failed_response_starts_the_next_attempt_at_once_and_is_disposed()
    {
        Task<HttpResponseMessage> call = _subject.GetAsync("/a", CancellationToken.None);
        var unavailable = new TrackedResponse(HttpStatusCode.ServiceUnavailable);
        _subject.Call(1).Response.SetResult(unavailable);
        WaitUntil(() => _subject.Calls.Count == 2, "the second attempt started");
        _subject.Call(2).Response.SetResult(new TrackedResponse(HttpStatusCode.OK));

        Assert.Equal(HttpStatusCode.OK, (await call.WaitAsync(HangGuard)).StatusCode);
        Assert.True(unavailable.Disposed);
    }

    [Fact]
    public async Task A_losing_response_that_arrives_after_the_winner_is_disposed()
    {
        _subject.IgnoreCancellation = true;
        ValueTask<HttpResponseMessage> call = _subject.GetAllAtOnceAsync(CancellationToken.None);
        Assert.Equal(3, _subject.Calls.Count);

        // The third answers first; the first answers too, ignoring its cancellation, after the race is decided.
        var winner = new TrackedResponse(HttpStatusCode.OK);
        _subject.Call(3).Response.SetResult(winner);
        Assert.Same(winner, await call.AsTask().WaitAsync(HangGuard));
        Assert.True(_subject.Call(1).Token.IsCancellationRequested && _subject.Call(2).Token.IsCancellationRequested);
        var late = new TrackedResponse(HttpStatusCode.OK);
        _subject.Call(1).Response.SetResult(late);

        WaitUntil(() => late.Disposed, "the late response was disposed");
        Assert.False(winner.Disposed);
    }

    [Fact]
    public async Task When_every_attempt_fails_the_caller_gets_the_last_response_and_the_others_are_disposed()
    {
        ValueTask<HttpResponseMessage> call = _subject.GetAllAtOnceAsync(CancellationToken.None);
        var first = new TrackedResponse(HttpStatusCode.ServiceUnavailable);
        var second = new TrackedResponse(HttpStatusCode.BadGateway);
        var third = new TrackedResponse(HttpStatusCode.TooManyRequests);
        _subject.Call(1).Response.SetResult(first);
        _subject.Call(2).Response.SetResult(second);

        // Both have been judged once one of them was let go of (the other is kept, in case it is the last failure).
        WaitUntil(() => first.Disposed || second.Disposed, "one of the first two failed responses was let go of");
        _subject.Call(3).Response.SetResult(third);

        Assert.Same(third, await call.AsTask().WaitAsync(HangGuard));
        Assert.True(first.Disposed && second.Disposed);
        Assert.False(third.Disposed);
    }

    [Fact]
    public async Task When_every_attempt_throws_the_caller_gets_the_last_exception()
    {
        Task<HttpResponseMessage> call = _subject.GetOnFailureAsync(CancellationToken.None);
        _subject.Call(1).Response.SetException(new HttpRequestException("first"));
        WaitUntil(() => _subject.Calls.Count == 2, "the second attempt started");
        _subject.Call(2).Response.SetException(new HttpRequestException("second"));

        HttpRequestException thrown = await Assert.ThrowsAsync<HttpRequestException>(() => call.WaitAsync(HangGuard));
        Assert.Equal("second", thrown.Message);
    }

    [Fact]
    public async Task Fallback_mode_waits_for_a_failure_however_long_the_first_attempt_takes()
    {
        Task<HttpResponseMessage> call = _subject.GetOnFailureAsync(CancellationToken.None);
        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Single(_subject.Calls);

        _subject.Call(1).Response.SetException(new HttpRequestException("down"));
        WaitUntil(() => _subject.Calls.Count == 2, "the second attempt started");
        _subject.Call(2).Response.SetResult(new TrackedResponse(HttpStatusCode.OK));

        Assert.Equal(HttpStatusCode.OK, (await call.WaitAsync(HangGuard)).StatusCode);
    }

    [Fact]
    public async Task The_callers_cancellation_mid_race_cancels_every_attempt_and_leaves_no_unobserved_exception()
    {
        var unobserved = new ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            using var caller = new CancellationTokenSource();
            await CancelMidRace(caller);

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Assert.Empty(unobserved);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    [Fact]
    public async Task A_cancelled_loser_is_not_a_failure_for_the_breaker_inside_the_hedging()
    {
        Task<HttpResponseMessage> call = _subject.GetThroughBreakerAsync(CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(Ms(100));
        WaitUntil(() => _subject.Calls.Count == 2, "the second attempt started");
        _subject.Call(2).Response.SetResult(new TrackedResponse(HttpStatusCode.OK));
        await call.WaitAsync(HangGuard);
        Assert.True(_subject.Call(1).Token.IsCancellationRequested, "The loser was not cancelled.");

        // The loser's breaker has judged its end before the attempt reports to the race.
        WaitUntil(() => _subject.Call(1).Reported, "the loser reported its end to the race");
        Assert.True(_subject.Call(1).Response.Task.IsCanceled, "The loser did not end cancelled.");

        // One failure would open it (threshold 1): the cancelled loser was not counted.
        Assert.Equal(CircuitState.Closed, Registry.CircuitBreaker("hedged-breaker").State);
    }

    [Fact]
    public async Task Each_hedged_attempt_runs_its_own_retry_and_a_cancelled_loser_is_not_retried()
    {
        using var retriedCalls = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.retry.calls");
        Task<HttpResponseMessage> call = _subject.GetRetriedAsync(CancellationToken.None);
        _subject.Call(1).Response.SetResult(new TrackedResponse(HttpStatusCode.ServiceUnavailable));
        WaitForTimers(2); // the hedging's delay, then the retry's
        Clock.Advance(Ms(10));
        WaitUntil(() => _subject.Calls.Count == 2, "the first attempt's retry started");

        // The hedging's delay has not passed: the second call is the first attempt's retry.
        Clock.Advance(Ms(90));
        WaitUntil(() => _subject.Calls.Count == 3, "the second hedged attempt started");
        _subject.Call(3).Response.SetResult(new TrackedResponse(HttpStatusCode.OK));

        Assert.Equal(HttpStatusCode.OK, (await call.WaitAsync(HangGuard)).StatusCode);
        WaitUntil(() => _subject.Call(2).Response.Task.IsCanceled, "the first attempt's retry was cancelled");
        Clock.Advance(Ms(1_000));
        Assert.Equal(3, _subject.Calls.Count);

        // The call was retried (in the losing attempt), and counts as a retried call that succeeded.
        CollectedMeasurement<long> retried = Assert.Single(retriedCalls.GetMeasurementSnapshot(), m => Equals(m.Tags["resilience.method"], "Resilience.Generators.Tests.Behaviour.HedgingSubject.GetRetriedAsync"));
        Assert.Equal("success", retried.Tags["resilience.outcome"]);
    }

    [Fact]
    public async Task A_total_timeout_around_the_hedging_cuts_every_attempt_and_throws_a_timeout()
    {
        Task<HttpResponseMessage> call = _subject.GetWithinTotalAsync(CancellationToken.None);
        WaitForTimers(2);
        Clock.Advance(Ms(100));
        WaitUntil(() => _subject.Calls.Count == 2, "the second attempt started");
        Clock.Advance(Ms(150));

        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(TimeoutScope.Total, timeout.Scope);
        Assert.All(_subject.Calls, c => Assert.True(c.Token.IsCancellationRequested));
    }

    [Fact]
    public async Task The_fallback_answers_when_every_hedged_attempt_fails()
    {
        Task<HttpResponseMessage> call = _subject.GetOrFallBackAsync(CancellationToken.None);
        _subject.Call(1).Response.SetException(new HttpRequestException("one"));
        _subject.Call(2).Response.SetException(new HttpRequestException("two"));

        Assert.Equal(HttpStatusCode.NoContent, (await call.WaitAsync(HangGuard)).StatusCode);
        Assert.Equal(1, _subject.Fallbacks);
    }

    [Fact]
    public async Task HandleResult_decides_which_result_may_win()
    {
        Task<int> call = _subject.CountAsync(CancellationToken.None);
        _subject.Call(1).Response.SetResult(new HttpResponseMessage(HttpStatusCode.InternalServerError));
        Assert.False(call.IsCompleted);
        _subject.Call(2).Response.SetResult(new HttpResponseMessage(HttpStatusCode.Accepted));

        Assert.Equal(202, await call.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_method_without_a_result_is_hedged_too()
    {
        ValueTask call = _subject.PingAsync(CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(Ms(100));
        WaitUntil(() => _subject.Calls.Count == 2, "the second attempt started");
        _subject.Call(2).Response.SetResult(new HttpResponseMessage(HttpStatusCode.OK));

        await call.AsTask().WaitAsync(HangGuard);
        Assert.True(_subject.Call(1).Token.IsCancellationRequested);
    }

    [Fact]
    public async Task Configured_hedging_settings_replace_the_attributes_while_the_application_runs_and_removing_them_restores_them()
    {
        // [Hedging(3, DelayMs = 100)] under the method's own name (it has no breaker, bulkhead or rate limit).
        const string policy = "Resilience.Generators.Tests.Behaviour.HedgingSubject.GetAsync";
        Registry.Configure(new Dictionary<string, PolicySettings> { [policy] = new() { Hedging = new HedgingSettings { MaxAttempts = 2, DelayMs = 0 } } });

        // Parallel, two attempts: both start at once, and no third ever does.
        Task<HttpResponseMessage> parallel = _subject.GetAsync("/a", CancellationToken.None);
        Assert.Equal(2, _subject.Calls.Count);
        _subject.Call(1).Response.SetResult(new TrackedResponse(HttpStatusCode.ServiceUnavailable));
        _subject.Call(2).Response.SetResult(new TrackedResponse(HttpStatusCode.BadGateway));
        // Both failed: the caller gets whichever failure the race saw last (the attempts report on their own threads).
        Assert.Contains((await parallel.WaitAsync(HangGuard)).StatusCode, new[] { HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway });
        Assert.Equal(2, _subject.Calls.Count);

        // Only after a failure (-1), whatever the time.
        Registry.Configure(new Dictionary<string, PolicySettings> { [policy] = new() { Hedging = new HedgingSettings { DelayMs = System.Threading.Timeout.Infinite } } });
        Task<HttpResponseMessage> onFailure = _subject.GetAsync("/b", CancellationToken.None);
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(3, _subject.Calls.Count);
        _subject.Call(3).Response.SetResult(new TrackedResponse(HttpStatusCode.ServiceUnavailable));
        WaitUntil(() => _subject.Calls.Count == 4, "the next attempt started after the failure");
        _subject.Call(4).Response.SetResult(new TrackedResponse(HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.OK, (await onFailure.WaitAsync(HangGuard)).StatusCode);

        // Removed: the attribute's 100 ms again.
        Registry.Configure(new Dictionary<string, PolicySettings>());
        Task<HttpResponseMessage> compiled = _subject.GetAsync("/c", CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(Ms(99));
        Assert.Equal(5, _subject.Calls.Count);
        Clock.Advance(Ms(1));
        WaitUntil(() => _subject.Calls.Count == 6, "the second attempt started after the attribute's delay");
        _subject.Call(6).Response.SetResult(new TrackedResponse(HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.OK, (await compiled.WaitAsync(HangGuard)).StatusCode);
    }

    private async Task CancelMidRace(CancellationTokenSource caller)
    {
        Task<HttpResponseMessage> call = _subject.GetAsync("/a", caller.Token);
        WaitForTimers(1);
        Clock.Advance(Ms(100));
        WaitUntil(() => _subject.Calls.Count == 2, "the second attempt started");

        caller.Cancel();

        OperationCanceledException canceled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(caller.Token, canceled.CancellationToken);
        Assert.All(_subject.Calls, c => Assert.True(c.Token.IsCancellationRequested));
        WaitUntil(() => _subject.Calls.All(c => c.Response.Task.IsCanceled), "every attempt ended cancelled");
        Clock.Advance(Ms(1_000));
        Assert.Equal(2, _subject.Calls.Count);
    }
}
