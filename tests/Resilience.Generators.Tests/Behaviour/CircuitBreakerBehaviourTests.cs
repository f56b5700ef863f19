namespace Resilience.Generators.Tests.Behaviour;

public partial class BreakerSubject
{
    public const string SharedName = "behaviour-breaker-shared";

    public CoreScript Script { get; } = new();

    public CoreScript OtherScript { get; } = new();

    [CircuitBreaker(3, BreakDurationMs = 1_000)]
    public partial Task<int> ThreeFailuresAsync();

    private Task<int> ThreeFailuresAsyncCore() => Script.RunAsync();

    [CircuitBreaker(3, BreakDurationMs = 1_000)]
    public partial int ThreeFailures();

    private int ThreeFailuresCore() => Script.Run();

    [CircuitBreaker(3, BreakDurationMs = 1_000)]
    public partial Task<int> ConsecutiveAsync();

    private Task<int> ConsecutiveAsyncCore() => Script.RunAsync();

    [CircuitBreaker(1, BreakDurationMs = 1_000)]
    public partial Task<int> ProbeAsync();

    private Task<int> ProbeAsyncCore() => Script.RunAsync();

    [CircuitBreaker(1, BreakDurationMs = 1_000, SuccessThreshold = 2)]
    public partial Task<int> TwoProbesToCloseAsync();

    private Task<int> TwoProbesToCloseAsyncCore() => Script.RunAsync();

    [CircuitBreaker(1, BreakDurationMs = 1_000, HalfOpenMaxCalls = 2)]
    public partial Task<int> TwoProbesAtOnceAsync();

    private Task<int> TwoProbesAtOnceAsyncCore() => Script.RunAsync();

    [CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 4, SamplingDurationMs = 10_000, BreakDurationMs = 1_000)]
    public partial Task<int> RatioAsync();

    private Task<int> RatioAsyncCore() => Script.RunAsync();

    [CircuitBreaker(2, BreakDurationMs = 1_000, Name = SharedName)]
    public partial Task<int> SharedFirstAsync();

    private Task<int> SharedFirstAsyncCore() => Script.RunAsync();

    [CircuitBreaker(2, BreakDurationMs = 1_000, Name = SharedName)]
    public partial int SharedSecond();

    private int SharedSecondCore() => OtherScript.Run();

    [CircuitBreaker(1, BreakDurationMs = 1_000)]
    [Timeout(100)]
    public partial Task<int> PerAttemptTimeoutAsync(CancellationToken cancellationToken);

    private Task<int> PerAttemptTimeoutAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [CircuitBreaker(1, BreakDurationMs = 1_000)]
    [Timeout(100, Scope = TimeoutScope.Total)]
    public partial Task<int> TotalTimeoutAsync(CancellationToken cancellationToken);

    private Task<int> TotalTimeoutAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [CircuitBreaker(1, BreakDurationMs = 1_000, Handle = new[] { typeof(IOException) })]
    [Timeout(100, Scope = TimeoutScope.Total)]
    public partial Task<int> TotalTimeoutWithHandleAsync(CancellationToken cancellationToken);

    private Task<int> TotalTimeoutWithHandleAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [CircuitBreaker(1, BreakDurationMs = 1_000)]
    public partial Task<int> CancellableAsync(CancellationToken cancellationToken);

    private Task<int> CancellableAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [CircuitBreaker(1, BreakDurationMs = 1_000, Handle = new[] { typeof(IOException) }, Ignore = new[] { typeof(FileNotFoundException) })]
    public partial Task<int> HandleIoAsync();

    private Task<int> HandleIoAsyncCore() => Script.RunAsync();
}

[Collection(RegistryCollection.Name)]
public sealed class CircuitBreakerBehaviourTests : RegistryTest
{
    private readonly BreakerSubject _subject = new();

    [Fact]
    public async Task Opens_after_FailureThreshold_consecutive_failures()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        for (int i = 1; i <= 2; i++)
        {
            await Assert.ThrowsAsync<IOException>(() => _subject.ThreeFailuresAsync().WaitAsync(HangGuard));
            Assert.Equal(CircuitState.Closed, Breaker(nameof(BreakerSubject.ThreeFailuresAsync)).State);
        }

        await Assert.ThrowsAsync<IOException>(() => _subject.ThreeFailuresAsync().WaitAsync(HangGuard));

        Assert.Equal(CircuitState.Open, Breaker(nameof(BreakerSubject.ThreeFailuresAsync)).State);
    }

    [Fact]
    public async Task An_open_breaker_rejects_without_calling_the_core_and_says_when_to_retry()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<IOException>(() => _subject.ThreeFailuresAsync().WaitAsync(HangGuard));
        }

        BrokenCircuitException rejection = await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.ThreeFailuresAsync().WaitAsync(HangGuard));

        Assert.Equal(3, _subject.Script.Calls);
        Assert.Equal(BreakerName(nameof(BreakerSubject.ThreeFailuresAsync)), rejection.PolicyName);
        Assert.Equal(CircuitState.Open, rejection.State);
        Assert.Equal(Ms(1_000), rejection.RetryAfter);

        Clock.Advance(Ms(400));
        rejection = await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.ThreeFailuresAsync().WaitAsync(HangGuard));
        Assert.Equal(Ms(600), rejection.RetryAfter);
        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public void A_synchronous_method_opens_the_breaker_and_is_rejected()
    {
        _subject.Script.Sync = static (_, _) => throw new IOException("down");
        for (int i = 0; i < 3; i++)
        {
            Assert.Throws<IOException>(() => _subject.ThreeFailures());
        }

        BrokenCircuitException rejection = Assert.Throws<BrokenCircuitException>(() => _subject.ThreeFailures());

        Assert.Equal(3, _subject.Script.Calls);
        Assert.Equal(Ms(1_000), rejection.RetryAfter);
    }

    [Fact]
    public async Task A_success_resets_the_count_of_consecutive_failures()
    {
        _subject.Script.Async = static (call, _) => call == 3 ? Task.FromResult(call) : throw new IOException("down");

        for (int i = 0; i < 5; i++)
        {
            await Record.ExceptionAsync(() => _subject.ConsecutiveAsync().WaitAsync(HangGuard));
        }

        // F F S F F: never three in a row.
        Assert.Equal(CircuitState.Closed, Breaker(nameof(BreakerSubject.ConsecutiveAsync)).State);
        Assert.Equal(5, _subject.Script.Calls);
    }

    [Fact]
    public async Task After_BreakDurationMs_a_probe_runs_and_its_success_closes_the_breaker()
    {
        await OpenAsync(_subject.ProbeAsync, failures: 1);
        _subject.Script.Async = static (call, _) => Task.FromResult(call * 10);

        Clock.Advance(Ms(999));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.ProbeAsync().WaitAsync(HangGuard));
        Assert.Equal(1, _subject.Script.Calls);

        Clock.Advance(Ms(1));
        Assert.Equal(20, await _subject.ProbeAsync().WaitAsync(HangGuard));

        Assert.Equal(2, _subject.Script.Calls);
        Assert.Equal(CircuitState.Closed, Breaker(nameof(BreakerSubject.ProbeAsync)).State);
    }

    [Fact]
    public async Task A_failed_probe_opens_the_breaker_for_another_break()
    {
        await OpenAsync(_subject.ProbeAsync, failures: 1);
        Clock.Advance(Ms(1_000));

        await Assert.ThrowsAsync<IOException>(() => _subject.ProbeAsync().WaitAsync(HangGuard));

        Assert.Equal(CircuitState.Open, Breaker(nameof(BreakerSubject.ProbeAsync)).State);
        BrokenCircuitException rejection = await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.ProbeAsync().WaitAsync(HangGuard));
        Assert.Equal(Ms(1_000), rejection.RetryAfter);
        Assert.Equal(2, _subject.Script.Calls);
    }

    [Fact]
    public async Task SuccessThreshold_successful_probes_are_needed_to_close_the_breaker()
    {
        await OpenAsync(_subject.TwoProbesToCloseAsync, failures: 1);
        _subject.Script.Async = static (call, _) => Task.FromResult(call);
        Clock.Advance(Ms(1_000));

        await _subject.TwoProbesToCloseAsync().WaitAsync(HangGuard);
        Assert.Equal(CircuitState.HalfOpen, Breaker(nameof(BreakerSubject.TwoProbesToCloseAsync)).State);

        await _subject.TwoProbesToCloseAsync().WaitAsync(HangGuard);
        Assert.Equal(CircuitState.Closed, Breaker(nameof(BreakerSubject.TwoProbesToCloseAsync)).State);
    }

    [Fact]
    public async Task HalfOpenMaxCalls_probes_run_at_once_and_further_calls_are_rejected()
    {
        await OpenAsync(_subject.TwoProbesAtOnceAsync, failures: 1);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _subject.Script.Async = (_, _) => gate.Task;
        Clock.Advance(Ms(1_000));

        Task<int> first = _subject.TwoProbesAtOnceAsync();
        Task<int> second = _subject.TwoProbesAtOnceAsync();
        BrokenCircuitException rejection = await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.TwoProbesAtOnceAsync().WaitAsync(HangGuard));

        Assert.Equal(CircuitState.HalfOpen, rejection.State);
        Assert.Equal(3, _subject.Script.Calls);
        gate.SetResult(7);
        Assert.Equal(new[] { 7, 7 }, await Task.WhenAll(first, second).WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Closed, Breaker(nameof(BreakerSubject.TwoProbesAtOnceAsync)).State);
    }

    [Fact]
    public async Task Ratio_mode_does_not_open_before_MinimumThroughput_calls()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<IOException>(() => _subject.RatioAsync().WaitAsync(HangGuard));
        }

        Assert.Equal(CircuitState.Closed, Breaker(nameof(BreakerSubject.RatioAsync)).State);
        await Assert.ThrowsAsync<IOException>(() => _subject.RatioAsync().WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Open, Breaker(nameof(BreakerSubject.RatioAsync)).State);
    }

    [Fact]
    public async Task Ratio_mode_opens_when_FailureRatio_of_the_calls_failed()
    {
        // S S F F: two failures out of four calls is the ratio of 0.5.
        _subject.Script.Async = static (call, _) => call <= 2 ? Task.FromResult(call) : throw new IOException("down");

        for (int i = 0; i < 3; i++)
        {
            await Record.ExceptionAsync(() => _subject.RatioAsync().WaitAsync(HangGuard));
        }

        Assert.Equal(CircuitState.Closed, Breaker(nameof(BreakerSubject.RatioAsync)).State);
        await Assert.ThrowsAsync<IOException>(() => _subject.RatioAsync().WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Open, Breaker(nameof(BreakerSubject.RatioAsync)).State);
    }

    [Fact]
    public async Task Ratio_mode_stays_closed_below_FailureRatio()
    {
        // S S S F F: two failures out of five calls is below 0.5.
        _subject.Script.Async = static (call, _) => call <= 3 ? Task.FromResult(call) : throw new IOException("down");

        for (int i = 0; i < 5; i++)
        {
            await Record.ExceptionAsync(() => _subject.RatioAsync().WaitAsync(HangGuard));
        }

        Assert.Equal(CircuitState.Closed, Breaker(nameof(BreakerSubject.RatioAsync)).State);
    }

    [Fact]
    public async Task Ratio_mode_forgets_calls_older_than_SamplingDurationMs()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<IOException>(() => _subject.RatioAsync().WaitAsync(HangGuard));
        }

        Clock.Advance(Ms(11_000));
        await Assert.ThrowsAsync<IOException>(() => _subject.RatioAsync().WaitAsync(HangGuard));

        // Four failures in a row, but only one of them in the last 10 s.
        Assert.Equal(CircuitState.Closed, Breaker(nameof(BreakerSubject.RatioAsync)).State);
    }

    [Fact]
    public async Task Methods_sharing_a_Name_share_one_breaker()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");
        _subject.OtherScript.Sync = static (_, _) => throw new IOException("down");

        await Assert.ThrowsAsync<IOException>(() => _subject.SharedFirstAsync().WaitAsync(HangGuard));
        Assert.Throws<IOException>(() => _subject.SharedSecond());

        // One failure from each method: together they reach the threshold of two.
        CircuitBreakerState breaker = Registry.CircuitBreaker(BreakerSubject.SharedName);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(2, breaker.GetMetrics().Failures);
        Assert.Single(Registry.CircuitBreakers, b => b.Name == BreakerSubject.SharedName);
        BrokenCircuitException first = await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.SharedFirstAsync().WaitAsync(HangGuard));
        BrokenCircuitException second = Assert.Throws<BrokenCircuitException>(() => _subject.SharedSecond());
        Assert.Equal(BreakerSubject.SharedName, first.PolicyName);
        Assert.Equal(BreakerSubject.SharedName, second.PolicyName);
        Assert.Equal(1, _subject.Script.Calls);
        Assert.Equal(1, _subject.OtherScript.Calls);
    }

    [Fact]
    public async Task Opening_a_shared_breaker_from_one_method_rejects_the_other()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        await Assert.ThrowsAsync<IOException>(() => _subject.SharedFirstAsync().WaitAsync(HangGuard));
        await Assert.ThrowsAsync<IOException>(() => _subject.SharedFirstAsync().WaitAsync(HangGuard));

        Assert.Throws<BrokenCircuitException>(() => _subject.SharedSecond());
        Assert.Equal(0, _subject.OtherScript.Calls);
    }

    [Fact]
    public async Task A_per_attempt_timeout_counts_as_a_failure()
    {
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.PerAttemptTimeoutAsync(CancellationToken.None);
        Clock.Advance(Ms(100));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        CircuitBreakerState breaker = Breaker(nameof(BreakerSubject.PerAttemptTimeoutAsync));
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(1, breaker.GetMetrics().Failures);
    }

    [Fact]
    public async Task A_total_timeout_that_cuts_an_attempt_short_counts_as_a_failure()
    {
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.TotalTimeoutAsync(CancellationToken.None);
        Clock.Advance(Ms(100));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        CircuitBreakerState breaker = Breaker(nameof(BreakerSubject.TotalTimeoutAsync));
        Assert.Equal(1, breaker.GetMetrics().Failures);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task A_total_timeout_counts_as_a_failure_even_when_Handle_does_not_list_cancellations()
    {
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.TotalTimeoutWithHandleAsync(CancellationToken.None);
        Clock.Advance(Ms(100));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        CircuitBreakerState breaker = Breaker(nameof(BreakerSubject.TotalTimeoutWithHandleAsync));
        Assert.Equal(1, breaker.GetMetrics().Failures);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_a_failure()
    {
        using var caller = new CancellationTokenSource();
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);

        Task<int> call = _subject.CancellableAsync(caller.Token);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        CircuitBreakerState breaker = Breaker(nameof(BreakerSubject.CancellableAsync));
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetMetrics().Failures);
        _subject.Script.Async = static (call, _) => Task.FromResult(call);
        Assert.Equal(2, await _subject.CancellableAsync(CancellationToken.None).WaitAsync(HangGuard));
    }

    [Fact]
    public async Task Handle_decides_which_exceptions_count_as_failures()
    {
        _subject.Script.Async = static (_, _) => throw new InvalidOperationException("bug");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _subject.HandleIoAsync().WaitAsync(HangGuard));

        CircuitBreakerState breaker = Breaker(nameof(BreakerSubject.HandleIoAsync));
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetMetrics().Failures);

        _subject.Script.Async = static (_, _) => throw new DirectoryNotFoundException("a subclass of IOException");
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => _subject.HandleIoAsync().WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task Ignore_wins_over_Handle_for_the_breaker()
    {
        _subject.Script.Async = static (_, _) => throw new FileNotFoundException("ignored, though an IOException");

        await Assert.ThrowsAsync<FileNotFoundException>(() => _subject.HandleIoAsync().WaitAsync(HangGuard));
        await Assert.ThrowsAsync<FileNotFoundException>(() => _subject.HandleIoAsync().WaitAsync(HangGuard));

        CircuitBreakerState breaker = Breaker(nameof(BreakerSubject.HandleIoAsync));
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetMetrics().Failures);
        Assert.Equal(2, _subject.Script.Calls);
    }

    private static string BreakerName(string method) => typeof(BreakerSubject).FullName + "." + method;

    private static CircuitBreakerState Breaker(string method) => Registry.CircuitBreaker(BreakerName(method));

    private async Task OpenAsync(Func<Task<int>> call, int failures)
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");
        for (int i = 0; i < failures; i++)
        {
            await Assert.ThrowsAsync<IOException>(() => call().WaitAsync(HangGuard));
        }
    }
}
