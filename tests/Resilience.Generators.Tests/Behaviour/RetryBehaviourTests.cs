using System.Collections.Concurrent;

namespace Resilience.Generators.Tests.Behaviour;

public partial class RetrySubject
{
    public CoreScript Script { get; } = new();

    public ConcurrentQueue<(Exception Error, int Attempt, TimeSpan Delay)> Retries { get; } = new();

    public ConcurrentQueue<Exception> AskedShouldRetry { get; } = new();

    [Retry(3, DelayMs = 0)]
    public partial Task<int> ThreeAttemptsAsync();

    private Task<int> ThreeAttemptsAsyncCore() => Script.RunAsync();

    [Retry(3, DelayMs = 0)]
    public partial int ThreeAttempts();

    private int ThreeAttemptsCore() => Script.Run();

    [Retry(1)]
    public partial Task<int> SingleAttemptAsync();

    private Task<int> SingleAttemptAsyncCore() => Script.RunAsync();

    [Retry(4, DelayMs = 100, Backoff = BackoffKind.Constant, Jitter = false)]
    public partial Task<int> ConstantAsync();

    private Task<int> ConstantAsyncCore() => Script.RunAsync();

    [Retry(4, DelayMs = 100, Backoff = BackoffKind.Linear, Jitter = false)]
    public partial Task<int> LinearAsync();

    private Task<int> LinearAsyncCore() => Script.RunAsync();

    [Retry(4, DelayMs = 100, Backoff = BackoffKind.Exponential, Jitter = false)]
    public partial Task<int> ExponentialAsync();

    private Task<int> ExponentialAsyncCore() => Script.RunAsync();

    [Retry(5, DelayMs = 100, MaxDelayMs = 250, Backoff = BackoffKind.Exponential, Jitter = false)]
    public partial ValueTask<int> ExponentialCappedAsync();

    private ValueTask<int> ExponentialCappedAsyncCore() => new(Script.RunAsync());

    [Retry(3, DelayMs = 100, Backoff = BackoffKind.Linear, Jitter = false)]
    public partial int LinearSync();

    private int LinearSyncCore() => Script.Run();

    [Retry(3, DelayMs = 0, Handle = new[] { typeof(IOException) })]
    public partial Task<int> HandleIoAsync();

    private Task<int> HandleIoAsyncCore() => Script.RunAsync();

    [Retry(3, DelayMs = 0, Handle = new[] { typeof(IOException) }, Ignore = new[] { typeof(FileNotFoundException) })]
    public partial Task<int> HandleIoIgnoreFileNotFoundAsync();

    private Task<int> HandleIoIgnoreFileNotFoundAsyncCore() => Script.RunAsync();

    [Retry(3, DelayMs = 0, Ignore = new[] { typeof(InvalidOperationException) })]
    public partial Task<int> IgnoreInvalidOperationAsync();

    private Task<int> IgnoreInvalidOperationAsyncCore() => Script.RunAsync();

    [Retry(5, DelayMs = 0, ShouldRetry = nameof(IsTransient))]
    public partial Task<int> ShouldRetryAsync();

    private Task<int> ShouldRetryAsyncCore() => Script.RunAsync();

    private bool IsTransient(Exception exception)
    {
        AskedShouldRetry.Enqueue(exception);
        return exception.Message != "permanent";
    }

    [Retry(3, DelayMs = 50, Backoff = BackoffKind.Linear, Jitter = false, OnRetry = nameof(RecordRetry))]
    public partial Task<int> OnRetryAsync();

    private Task<int> OnRetryAsyncCore() => Script.RunAsync();

    private void RecordRetry(Exception exception, int attempt, TimeSpan delay) => Retries.Enqueue((exception, attempt, delay));

    [Retry(3, DelayMs = 0)]
    public partial Task<int> CancellableAsync(CancellationToken cancellationToken);

    private Task<int> CancellableAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Retry(3, DelayMs = 10_000, Backoff = BackoffKind.Constant, Jitter = false)]
    public partial Task<int> LongDelayAsync(CancellationToken cancellationToken);

    private Task<int> LongDelayAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Retry(3, DelayMs = 10_000, Backoff = BackoffKind.Constant, Jitter = false)]
    public partial int LongDelay(CancellationToken cancellationToken);

    private int LongDelayCore(CancellationToken cancellationToken) => Script.Run(cancellationToken);
}

[Collection(RegistryCollection.Name)]
public sealed class RetryBehaviourTests : RegistryTest
{
    private readonly RetrySubject _subject = new();

    [Fact]
    public async Task Makes_MaxAttempts_attempts_in_total_the_first_one_included()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        await Assert.ThrowsAsync<IOException>(() => _subject.ThreeAttemptsAsync().WaitAsync(HangGuard));

        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public void A_synchronous_method_makes_MaxAttempts_attempts_in_total()
    {
        _subject.Script.Sync = static (_, _) => throw new IOException("down");

        Assert.Throws<IOException>(() => _subject.ThreeAttempts());

        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public async Task MaxAttempts_of_one_makes_a_single_attempt()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        await Assert.ThrowsAsync<IOException>(() => _subject.SingleAttemptAsync().WaitAsync(HangGuard));

        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_first_attempt_that_succeeds_is_not_repeated()
    {
        Assert.Equal(1, await _subject.ThreeAttemptsAsync().WaitAsync(HangGuard));
        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public async Task Returns_the_value_of_a_later_attempt_that_succeeds()
    {
        _subject.Script.Async = static (call, _) => call < 3 ? throw new IOException("down") : Task.FromResult(42);

        Assert.Equal(42, await _subject.ThreeAttemptsAsync().WaitAsync(HangGuard));
        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public void A_synchronous_method_returns_the_value_of_a_later_attempt_that_succeeds()
    {
        _subject.Script.Sync = static (call, _) => call < 2 ? throw new IOException("down") : 42;

        Assert.Equal(42, _subject.ThreeAttempts());
        Assert.Equal(2, _subject.Script.Calls);
    }

    [Fact]
    public async Task The_last_attempts_exception_surfaces_after_the_last_attempt()
    {
        _subject.Script.Async = static (call, _) => throw new InvalidDataException("attempt " + call);

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => _subject.ThreeAttemptsAsync().WaitAsync(HangGuard));

        Assert.Equal("attempt 3", error.Message);
    }

    [Fact]
    public Task Constant_backoff_waits_DelayMs_before_every_retry()
        => AssertEachRetryWaits(() => _subject.ConstantAsync(), 100, 100, 100);

    [Fact]
    public Task Linear_backoff_waits_n_times_DelayMs_before_retry_n()
        => AssertEachRetryWaits(() => _subject.LinearAsync(), 100, 200, 300);

    [Fact]
    public Task Exponential_backoff_doubles_the_delay_before_each_retry()
        => AssertEachRetryWaits(() => _subject.ExponentialAsync(), 100, 200, 400);

    [Fact]
    public Task Exponential_backoff_is_capped_at_MaxDelayMs()
        => AssertEachRetryWaits(() => _subject.ExponentialCappedAsync().AsTask(), 100, 200, 250, 250);

    [Fact]
    public Task A_synchronous_method_waits_the_backoff_on_the_fake_clock()
        => AssertEachRetryWaits(() => Task.Run(() => _subject.LinearSync()), 100, 200);

    [Fact]
    public async Task Handle_retries_the_listed_exception_types_and_their_subclasses()
    {
        _subject.Script.Async = static (_, _) => throw new FileNotFoundException("missing");

        await Assert.ThrowsAsync<FileNotFoundException>(() => _subject.HandleIoAsync().WaitAsync(HangGuard));

        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public async Task Handle_does_not_retry_other_exception_types()
    {
        _subject.Script.Async = static (_, _) => throw new InvalidOperationException("bug");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _subject.HandleIoAsync().WaitAsync(HangGuard));

        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public async Task Ignore_wins_over_Handle()
    {
        _subject.Script.Async = static (_, _) => throw new FileNotFoundException("missing");

        await Assert.ThrowsAsync<FileNotFoundException>(() => _subject.HandleIoIgnoreFileNotFoundAsync().WaitAsync(HangGuard));

        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public async Task With_Ignore_the_handled_types_that_are_not_ignored_are_still_retried()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        await Assert.ThrowsAsync<IOException>(() => _subject.HandleIoIgnoreFileNotFoundAsync().WaitAsync(HangGuard));

        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public async Task Ignore_never_retries_the_listed_types_and_their_subclasses()
    {
        _subject.Script.Async = static (_, _) => throw new ObjectDisposedException("gone");

        await Assert.ThrowsAsync<ObjectDisposedException>(() => _subject.IgnoreInvalidOperationAsync().WaitAsync(HangGuard));

        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public async Task Ignore_alone_retries_every_other_exception()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        await Assert.ThrowsAsync<IOException>(() => _subject.IgnoreInvalidOperationAsync().WaitAsync(HangGuard));

        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public async Task ShouldRetry_returning_false_stops_the_retries()
    {
        _subject.Script.Async = static (call, _) => throw new IOException(call < 2 ? "transient" : "permanent");

        IOException error = await Assert.ThrowsAsync<IOException>(() => _subject.ShouldRetryAsync().WaitAsync(HangGuard));

        Assert.Equal("permanent", error.Message);
        Assert.Equal(2, _subject.Script.Calls);
        Assert.Equal(new[] { "transient", "permanent" }, _subject.AskedShouldRetry.Select(e => e.Message));
        Assert.Same(error, _subject.AskedShouldRetry.Last());
    }

    [Fact]
    public async Task OnRetry_is_called_before_each_delay_with_the_exception_the_attempt_and_the_delay()
    {
        var errors = new ConcurrentQueue<Exception>();
        _subject.Script.Async = (call, _) =>
        {
            var error = new IOException("attempt " + call);
            errors.Enqueue(error);
            throw error;
        };

        Task<int> call = _subject.OnRetryAsync();
        WaitForTimers(1);
        Assert.Single(_subject.Retries);
        Clock.Advance(Ms(50));
        WaitForTimers(2);
        Clock.Advance(Ms(100));
        await Assert.ThrowsAsync<IOException>(() => call.WaitAsync(HangGuard));

        Exception[] thrown = errors.ToArray();
        Assert.Equal(3, thrown.Length);
        (Exception Error, int Attempt, TimeSpan Delay)[] retries = _subject.Retries.ToArray();
        Assert.Equal(2, retries.Length);
        Assert.Same(thrown[0], retries[0].Error);
        Assert.Equal(1, retries[0].Attempt);
        Assert.Equal(Ms(50), retries[0].Delay);
        Assert.Same(thrown[1], retries[1].Error);
        Assert.Equal(2, retries[1].Attempt);
        Assert.Equal(Ms(100), retries[1].Delay);
    }

    [Fact]
    public async Task The_callers_cancellation_is_never_retried()
    {
        using var caller = new CancellationTokenSource();
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.CancellableAsync(caller.Token);
        Assert.Equal(1, _subject.Script.Calls);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_cancellation_that_is_not_the_callers_is_retried_like_any_failure()
    {
        using var caller = new CancellationTokenSource();
        _subject.Script.Async = static (_, _) => throw new TaskCanceledException("an HTTP client timed out");

        await Assert.ThrowsAsync<TaskCanceledException>(() => _subject.CancellableAsync(caller.Token).WaitAsync(HangGuard));

        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public async Task Cancelling_during_a_retry_delay_ends_the_call_at_once()
    {
        using var caller = new CancellationTokenSource();
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        Task<int> call = _subject.LongDelayAsync(caller.Token);
        WaitForTimers(1);
        Assert.False(call.IsCompleted);
        caller.Cancel();

        // The clock never moves: only the cancellation can end the 10 s delay.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public async Task Cancelling_during_a_synchronous_methods_retry_delay_ends_the_call_at_once()
    {
        using var caller = new CancellationTokenSource();
        _subject.Script.Sync = static (_, _) => throw new IOException("down");

        Task<int> call = Task.Run(() => _subject.LongDelay(caller.Token));
        WaitForTimers(1);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(1, _subject.Script.Calls);
    }

    /// <summary>
    /// Every attempt but the last fails; before each retry the clock is advanced to 1 ms short of the expected
    /// delay (the attempt must not have run) and then by the last millisecond (the attempt must run).
    /// </summary>
    private async Task AssertEachRetryWaits(Func<Task<int>> call, params int[] delaysMs)
    {
        int attempts = delaysMs.Length + 1;
        _subject.Script.Async = (n, _) => n < attempts ? throw new IOException("attempt " + n) : Task.FromResult(100 + n);
        _subject.Script.Sync = (n, _) => n < attempts ? throw new IOException("attempt " + n) : 100 + n;

        Task<int> task = call();
        for (int retry = 1; retry <= delaysMs.Length; retry++)
        {
            WaitForTimers(retry);
            Assert.Equal(retry, _subject.Script.Calls);

            Clock.Advance(Ms(delaysMs[retry - 1] - 1));
            Assert.Equal(retry, _subject.Script.Calls);
            Assert.False(task.IsCompleted);

            Clock.Advance(Ms(1));
            int expected = retry + 1;
            WaitUntil(() => _subject.Script.Calls == expected, $"attempt {expected} ran after a delay of {delaysMs[retry - 1]} ms");
        }

        Assert.Equal(100 + attempts, await task.WaitAsync(HangGuard));
        Assert.Equal(attempts, _subject.Script.Calls);
    }
}
