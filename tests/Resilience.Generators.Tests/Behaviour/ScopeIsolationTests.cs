namespace Resilience.Generators.Tests.Behaviour;

public sealed partial class ScopedSubject(Func<int, Task<int>> core)
{
    public const string BreakerName = "behaviour-scoped-breaker";

    private int _calls;

    public int Calls => _calls;

    [CircuitBreaker(2, BreakDurationMs = 1_000, Name = BreakerName)]
    public partial Task<int> GetAsync();

    [Retry(3, DelayMs = 1_000, Jitter = false, Backoff = BackoffKind.Constant)]
    [Idempotent]
    public partial Task<int> RetriedAsync();

    private Task<int> GetAsyncCore() => core(Interlocked.Increment(ref _calls));

    private Task<int> RetriedAsyncCore() => core(Interlocked.Increment(ref _calls));
}

/// <summary>
/// Generated code inside a <see cref="ResilienceScope"/>: its policies keep their state in the scope's registry and run
/// on its clock. Not in <see cref="RegistryCollection"/>: these tests run in parallel with the others, which reset the
/// default registry and replace its clock, and neither side sees the other.
/// </summary>
public sealed class ScopeIsolationTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Two_tests_running_at_once_in_scopes_do_not_see_each_others_breaker()
    {
        var bothStarted = new Barrier(2);
        var firstOpened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // "Test A": its dependency is down; two failures open the shared-name breaker, and the third call is rejected.
        Task<CircuitState> testA = Task.Run(async () =>
        {
            using ResilienceScope scope = ResilienceScope.Begin();
            var subject = new ScopedSubject(_ => Task.FromException<int>(new HttpRequestException("down")));
            bothStarted.SignalAndWait(HangGuard);
            await Assert.ThrowsAsync<HttpRequestException>(subject.GetAsync);
            await Assert.ThrowsAsync<HttpRequestException>(subject.GetAsync);
            firstOpened.SetResult();
            await Assert.ThrowsAsync<BrokenCircuitException>(subject.GetAsync);
            Assert.Equal(2, subject.Calls);
            return scope.Registry.CircuitBreaker(ScopedSubject.BreakerName).State;
        });

        // "Test B", at the same time, with the same breaker name: its calls go through while A's breaker is open.
        Task<CircuitState> testB = Task.Run(async () =>
        {
            using ResilienceScope scope = ResilienceScope.Begin();
            var subject = new ScopedSubject(call => Task.FromResult(call));
            bothStarted.SignalAndWait(HangGuard);
            await firstOpened.Task.WaitAsync(HangGuard);
            for (int i = 1; i <= 3; i++)
            {
                Assert.Equal(i, await subject.GetAsync());
            }

            return scope.Registry.CircuitBreaker(ScopedSubject.BreakerName).State;
        });

        Assert.Equal(CircuitState.Open, await testA.WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Closed, await testB.WaitAsync(HangGuard));
        Assert.Equal(0, ResilienceRegistry.Default.CircuitBreaker(ScopedSubject.BreakerName).GetMetrics().Calls);
    }

    [Fact]
    public async Task A_retry_delay_waits_on_the_scopes_fake_clock()
    {
        using ResilienceScope scope = ResilienceScope.Begin();
        var clock = new TestClock();
        scope.Registry.TimeProvider = clock;
        var subject = new ScopedSubject(call => call < 3 ? Task.FromException<int>(new HttpRequestException("down")) : Task.FromResult(call));

        Task<int> call = subject.RetriedAsync();

        // Each delay of one second is a timer on the scope's clock, which nothing but this test moves.
        for (int delay = 1; delay <= 2; delay++)
        {
            Assert.True(SpinWait.SpinUntil(() => clock.TimersCreated >= delay, HangGuard), $"Retry delay {delay} did not start on the scope's clock.");
            Assert.False(call.IsCompleted);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(3, await call.WaitAsync(HangGuard));
        Assert.True(clock.GetUtcNow() - clock.Start >= TimeSpan.FromSeconds(2));
    }
}
