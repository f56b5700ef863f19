namespace Resilience.Generators.Tests.Behaviour;

public partial class TimeoutSubject
{
    public CoreScript Script { get; } = new();

    public CancellationToken Received { get; private set; }

    [Timeout(100)]
    public partial Task<int> PerAttemptAsync(CancellationToken cancellationToken);

    private Task<int> PerAttemptAsyncCore(CancellationToken cancellationToken)
    {
        Received = cancellationToken;
        return Script.RunAsync(cancellationToken);
    }

    [Timeout(100)]
    public partial ValueTask<int> PerAttemptValueTaskAsync(CancellationToken cancellationToken);

    private ValueTask<int> PerAttemptValueTaskAsyncCore(CancellationToken cancellationToken)
    {
        Received = cancellationToken;
        return new ValueTask<int>(Script.RunAsync(cancellationToken));
    }

    [Timeout(100)]
    [Retry(3, DelayMs = 0)]
    public partial Task<int> RetriedAsync(CancellationToken cancellationToken);

    private Task<int> RetriedAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Retry(10, DelayMs = 30, Backoff = BackoffKind.Constant, Jitter = false)]
    [Timeout(100, Scope = TimeoutScope.Total)]
    public partial Task<int> TotalAsync(CancellationToken cancellationToken);

    private Task<int> TotalAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Timeout(1_000)]
    public partial Task<int> CallerCancelsAsync(CancellationToken cancellationToken);

    private Task<int> CallerCancelsAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Timeout(1_000, Scope = TimeoutScope.Total)]
    [Retry(3, DelayMs = 0)]
    public partial Task<int> CallerCancelsTotalAsync(CancellationToken cancellationToken);

    private Task<int> CallerCancelsTotalAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Timeout(100)]
    public partial int PerAttemptSync(CancellationToken cancellationToken);

    private int PerAttemptSyncCore(CancellationToken cancellationToken)
    {
        Received = cancellationToken;
        return Script.Run(cancellationToken);
    }

    [Timeout(100, Scope = TimeoutScope.Total)]
    public partial int TotalSync(CancellationToken cancellationToken);

    private int TotalSyncCore(CancellationToken cancellationToken)
    {
        Received = cancellationToken;
        return Script.Run(cancellationToken);
    }
}

[Collection(RegistryCollection.Name)]
public sealed class TimeoutBehaviourTests : RegistryTest
{
    private readonly TimeoutSubject _subject = new();

    [Fact]
    public async Task A_per_attempt_timeout_cancels_the_token_the_core_receives()
    {
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.PerAttemptAsync(CancellationToken.None);
        Clock.Advance(Ms(99));
        Assert.False(_subject.Received.IsCancellationRequested);
        Assert.False(call.IsCompleted);

        Clock.Advance(Ms(1));
        Assert.True(_subject.Received.IsCancellationRequested);
        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));

        Assert.Equal(TimeoutScope.PerAttempt, timeout.Scope);
        Assert.Equal(Ms(100), timeout.Timeout);
        Assert.Equal(typeof(TimeoutSubject).FullName + "." + nameof(TimeoutSubject.PerAttemptAsync), timeout.PolicyName);
        Assert.IsAssignableFrom<OperationCanceledException>(timeout.InnerException);
    }

    [Fact]
    public async Task A_per_attempt_timeout_cancels_a_completion_source_registered_on_the_token()
    {
        _subject.Script.Async = static (_, token) =>
        {
            var pending = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            token.Register(() => pending.TrySetCanceled(token));
            return pending.Task;
        };

        Task<int> call = _subject.PerAttemptValueTaskAsync(CancellationToken.None).AsTask();
        Clock.Advance(Ms(100));

        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(TimeoutScope.PerAttempt, timeout.Scope);
        OperationCanceledException cancellation = Assert.IsAssignableFrom<OperationCanceledException>(timeout.InnerException);
        Assert.Equal(_subject.Received, cancellation.CancellationToken);
    }

    [Fact]
    public async Task A_call_that_completes_within_the_timeout_returns_its_value()
    {
        _subject.Script.Async = async (call, token) =>
        {
            await Task.Delay(Ms(99), Clock, token).ConfigureAwait(false);
            return call * 7;
        };

        Task<int> call = _subject.PerAttemptAsync(CancellationToken.None);
        Clock.Advance(Ms(99));

        Assert.Equal(7, await call.WaitAsync(HangGuard));
        Assert.False(_subject.Received.IsCancellationRequested);
    }

    [Fact]
    public async Task A_per_attempt_timeout_is_retried()
    {
        _subject.Script.Async = static (call, token) => call == 1 ? CoreScript.UntilCancelled(token) : Task.FromResult(42);

        Task<int> call = _subject.RetriedAsync(CancellationToken.None);
        Assert.Equal(1, _subject.Script.Calls);
        Clock.Advance(Ms(100));

        Assert.Equal(42, await call.WaitAsync(HangGuard));
        Assert.Equal(2, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_total_timeout_covers_every_attempt_and_delay_and_a_wait_it_would_cut_short_is_not_started()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        // Attempts at 0, 30, 60 and 90 ms; the delay after the fourth would end at 120 ms, past the 100 ms total,
        // so it is not started: the fourth attempt's failure surfaces at 90 ms.
        Task<int> call = _subject.TotalAsync(CancellationToken.None);
        int timers = Clock.TimersCreated;
        for (int attempt = 1; attempt <= 2; attempt++)
        {
            Assert.Equal(attempt, _subject.Script.Calls);
            Clock.Advance(Ms(30));
            WaitForTimers(timers + attempt);
        }

        Clock.Advance(Ms(30));
        await Assert.ThrowsAsync<IOException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(4, _subject.Script.Calls);
        Assert.Equal(timers + 2, Clock.TimersCreated);
        Clock.Advance(Ms(1_000));
        Assert.Equal(4, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_total_timeout_that_fires_during_an_attempt_ends_the_call_as_a_timeout()
    {
        _subject.Script.Async = static (call, token) => call < 4 ? throw new IOException("down") : CoreScript.UntilCancelled(token);

        // Attempts at 0, 30 and 60 ms fail; the fourth, from 90 ms, runs until the 100 ms total cancels it.
        Task<int> call = _subject.TotalAsync(CancellationToken.None);
        int timers = Clock.TimersCreated;
        for (int attempt = 1; attempt <= 2; attempt++)
        {
            Clock.Advance(Ms(30));
            WaitForTimers(timers + attempt);
        }

        Clock.Advance(Ms(30));
        WaitUntil(() => _subject.Script.Calls == 4, "the fourth attempt ran");
        Clock.Advance(Ms(9));
        Assert.False(call.IsCompleted);
        Clock.Advance(Ms(1));

        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(TimeoutScope.Total, timeout.Scope);
        Assert.Equal(Ms(100), timeout.Timeout);
    }

    [Fact]
    public async Task A_total_timeout_cancels_the_attempt_in_flight()
    {
        _subject.Script.Async = static (call, token) => call < 3 ? throw new IOException("down") : CoreScript.UntilCancelled(token);

        Task<int> call = _subject.TotalAsync(CancellationToken.None);
        int baseline = Clock.TimersCreated;
        Clock.Advance(Ms(30));
        WaitForTimers(baseline + 1);
        Assert.Equal(2, _subject.Script.Calls);
        Clock.Advance(Ms(30));
        WaitUntil(() => _subject.Script.Calls == 3, "the third attempt ran");
        int timers = Clock.TimersCreated;

        Clock.Advance(Ms(40));
        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(TimeoutScope.Total, timeout.Scope);
        Assert.IsAssignableFrom<OperationCanceledException>(timeout.InnerException);
        Assert.Equal(3, _subject.Script.Calls);
        Assert.Equal(timers, Clock.TimersCreated);
    }

    [Fact]
    public async Task The_callers_cancellation_surfaces_as_OperationCanceledException_not_as_a_timeout()
    {
        using var caller = new CancellationTokenSource();
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.CallerCancelsAsync(caller.Token);
        caller.Cancel();

        Exception error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.IsNotType<TimeoutRejectedException>(error);
    }

    [Fact]
    public async Task The_callers_cancellation_under_a_total_timeout_surfaces_as_OperationCanceledException()
    {
        using var caller = new CancellationTokenSource();
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.CallerCancelsTotalAsync(caller.Token);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_synchronous_method_sees_its_token_cancelled_by_a_per_attempt_timeout()
    {
        _subject.Script.Sync = static (_, token) => CoreScript.BlockUntilCancelled(token);

        Task<int> call = Task.Run(() => _subject.PerAttemptSync(CancellationToken.None));
        WaitUntil(() => _subject.Script.Calls == 1, "the core started");
        Clock.Advance(Ms(99));
        Assert.False(_subject.Received.IsCancellationRequested);
        Clock.Advance(Ms(1));

        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(TimeoutScope.PerAttempt, timeout.Scope);
        Assert.IsAssignableFrom<OperationCanceledException>(timeout.InnerException);
        Assert.True(_subject.Received.IsCancellationRequested);
    }

    [Fact]
    public async Task A_synchronous_method_sees_its_token_cancelled_by_a_total_timeout()
    {
        _subject.Script.Sync = static (_, token) => CoreScript.BlockUntilCancelled(token);

        Task<int> call = Task.Run(() => _subject.TotalSync(CancellationToken.None));
        WaitUntil(() => _subject.Script.Calls == 1, "the core started");
        Clock.Advance(Ms(100));

        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(TimeoutScope.Total, timeout.Scope);
    }
}
