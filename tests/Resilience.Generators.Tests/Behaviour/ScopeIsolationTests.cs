namespace Resilience.Generators.Tests.Behaviour;

public sealed partial class ScopedSubject(Func<int, Task<int>> core)
{
    public const string BreakerName = "behaviour-scoped-breaker";
    public const string ConfiguredName = "behaviour-scoped-configured";
    public const string BudgetName = "behaviour-scoped-budget";

    private int _calls;

    public int Calls => _calls;

    [CircuitBreaker(2, BreakDurationMs = 1_000, Name = BreakerName)]
    public partial Task<int> GetAsync();

    [Retry(3, DelayMs = 1_000, Jitter = false, Backoff = BackoffKind.Constant)]
    [Idempotent]
    public partial Task<int> RetriedAsync();

    /// <summary>Three attempts as compiled; configuration may change that under <see cref="ConfiguredName"/>.</summary>
    [Retry(3, DelayMs = 0)]
    [CircuitBreaker(1_000, Name = ConfiguredName)]
    public partial Task<int> ConfiguredAsync();

    /// <summary>Up to ten attempts a call, within a budget of a tenth of the calls (with a floor of 10 retries a second).</summary>
    [Retry(10, DelayMs = 0, MaxRetryRatio = 0.1)]
    [CircuitBreaker(1_000, Name = BudgetName)]
    public partial Task<int> BudgetedAsync();

    private Task<int> GetAsyncCore() => core(Interlocked.Increment(ref _calls));

    private Task<int> ConfiguredAsyncCore() => core(Interlocked.Increment(ref _calls));

    private Task<int> BudgetedAsyncCore() => core(Interlocked.Increment(ref _calls));

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
    public async Task Two_tests_running_at_once_in_scopes_each_see_only_their_own_Configure_of_a_retry()
    {
        var bothConfigured = new Barrier(2);

        // Each "test" configures the same name with its own number of attempts, then calls a method that always fails.
        async Task<int> AttemptsMadeWith(int configured)
        {
            using ResilienceScope scope = ResilienceScope.Begin();
            scope.Registry.Configure(new Dictionary<string, PolicySettings> { [ScopedSubject.ConfiguredName] = new() { MaxAttempts = configured } });
            var subject = new ScopedSubject(_ => Task.FromException<int>(new HttpRequestException("down")));
            bothConfigured.SignalAndWait(HangGuard);
            await Assert.ThrowsAsync<HttpRequestException>(subject.ConfiguredAsync);
            return subject.Calls;
        }

        Task<int> one = Task.Run(() => AttemptsMadeWith(1));
        Task<int> five = Task.Run(() => AttemptsMadeWith(5));

        Assert.Equal(1, await one.WaitAsync(HangGuard));
        Assert.Equal(5, await five.WaitAsync(HangGuard));

        // Outside any scope the compiled-in three attempts still hold: neither scope's Configure reached the default registry.
        var outside = new ScopedSubject(_ => Task.FromException<int>(new HttpRequestException("down")));
        await Assert.ThrowsAsync<HttpRequestException>(outside.ConfiguredAsync);
        Assert.Equal(3, outside.Calls);
    }

    [Fact]
    public async Task A_retry_budget_spent_in_one_scope_is_whole_in_another()
    {
        using (ResilienceScope spent = ResilienceScope.Begin())
        {
            spent.Registry.TimeProvider = new TestClock();
            var failing = new ScopedSubject(_ => Task.FromException<int>(new HttpRequestException("down")));

            // The budget allows the floor (10 retries a second over 10 s: 100) and a tenth of the calls (20: 2 more).
            for (int i = 0; i < 20; i++)
            {
                await Assert.ThrowsAsync<HttpRequestException>(failing.BudgetedAsync);
            }

            Assert.True(spent.Registry.RetryBudgets.Single(b => b.Name == ScopedSubject.BudgetName).RefusedRetries > 0);
            Assert.Equal(20 + 102, failing.Calls);
        }

        using ResilienceScope fresh = ResilienceScope.Begin();
        fresh.Registry.TimeProvider = new TestClock();
        var subject = new ScopedSubject(_ => Task.FromException<int>(new HttpRequestException("down")));
        await Assert.ThrowsAsync<HttpRequestException>(subject.BudgetedAsync);

        // A budget of its own: the ten attempts of the first call all run.
        Assert.Equal(10, subject.Calls);
        Assert.Equal(0, fresh.Registry.RetryBudgets.Single(b => b.Name == ScopedSubject.BudgetName).RefusedRetries);
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
