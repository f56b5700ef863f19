namespace Resilience.Generators.Tests.Behaviour;

public partial class SlowCallSubject
{
    public CoreScript Script { get; } = new();

    [CircuitBreaker(100, SlowCallDurationMs = 1_000, MinimumThroughput = 2)]
    public partial int Slow();

    private int SlowCore() => Script.Run();

    [CircuitBreaker(100, SlowCallDurationMs = 1_000, MinimumThroughput = 2)]
    public partial Task<int> SlowAsync();

    private Task<int> SlowAsyncCore() => Script.RunAsync();

    [CircuitBreaker(1, BreakDurationMs = 1_000, MaxBreakDurationMs = 4_000)]
    public partial int Growing();

    private int GrowingCore() => Script.Run();
}

public partial class BudgetSubject
{
    public const string SharedName = "budget-shared";

    public CoreScript Script { get; } = new();

    [Retry(3, DelayMs = 0, MaxRetryRatio = 0.5)]
    public partial int Budgeted();

    private int BudgetedCore() => Script.Run();

    [Retry(3, DelayMs = 0, MaxRetryRatio = 0.5)]
    public partial Task<int> BudgetedAsync();

    private Task<int> BudgetedAsyncCore() => Script.RunAsync();

    [Retry(3, DelayMs = 0, MaxRetryRatio = 0.5, HandleResult = nameof(IsNegative))]
    public partial int BudgetedResult();

    private int BudgetedResultCore() => Script.Run();

    private static bool IsNegative(int value) => value < 0;

    [Retry(3, DelayMs = 0, MaxRetryRatio = 0.5)]
    [Bulkhead(10, Name = SharedName)]
    public partial int SharedA();

    private int SharedACore() => Script.Run();

    [Retry(3, DelayMs = 0, MaxRetryRatio = 0.5)]
    [Bulkhead(10, Name = SharedName)]
    public partial Task<int> SharedBAsync();

    private Task<int> SharedBAsyncCore() => Script.RunAsync();
}

/// <summary>Slow calls and growing breaks through generated breakers, on the fake clock.</summary>
[Collection(RegistryCollection.Name)]
public sealed class SlowCallBehaviourTests : RegistryTest
{
    private const string Type = "Resilience.Generators.Tests.Behaviour.SlowCallSubject.";

    private readonly SlowCallSubject _subject = new();

    [Fact]
    public void Slow_synchronous_calls_open_the_breaker_though_every_one_succeeded()
    {
        _subject.Script.Sync = (call, _) =>
        {
            Clock.Advance(Ms(1_001));
            return call;
        };

        Assert.Equal(1, _subject.Slow());
        Assert.Equal(2, _subject.Slow());

        Assert.Throws<BrokenCircuitException>(() => _subject.Slow());
        Assert.Equal(2, _subject.Script.Calls);
        Assert.Equal(2, Registry.CircuitBreaker(Type + "Slow").GetMetrics().SlowCalls);
    }

    [Fact]
    public void Fast_calls_leave_the_breaker_closed()
    {
        _subject.Script.Sync = (call, _) =>
        {
            Clock.Advance(Ms(1_000));
            return call;
        };

        for (int i = 0; i < 10; i++)
        {
            _subject.Slow();
        }

        Assert.Equal(CircuitState.Closed, Registry.CircuitBreaker(Type + "Slow").State);
    }

    [Fact]
    public async Task An_asynchronous_call_is_timed_whether_it_completes_at_once_or_later()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _subject.Script.Async = (call, _) =>
        {
            if (call == 1)
            {
                Clock.Advance(Ms(1_001));
                return Task.FromResult(call);
            }

            return gate.Task;
        };

        Assert.Equal(1, await _subject.SlowAsync());
        Task<int> pending = _subject.SlowAsync();
        Assert.False(pending.IsCompleted);
        Clock.Advance(Ms(1_001));
        gate.SetResult(2);
        Assert.Equal(2, await pending.WaitAsync(HangGuard));

        await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.SlowAsync().WaitAsync(HangGuard));
        Assert.Equal(2, Registry.CircuitBreaker(Type + "SlowAsync").GetMetrics().SlowCalls);
    }

    [Fact]
    public void Each_failed_probe_lengthens_the_break_up_to_its_maximum()
    {
        _subject.Script.Sync = static (_, _) => throw new IOException("down");
        Assert.Throws<IOException>(() => _subject.Growing());
        var retryAfters = new List<TimeSpan?>();

        for (int i = 0; i < 3; i++)
        {
            BrokenCircuitException rejection = Assert.Throws<BrokenCircuitException>(() => _subject.Growing());
            retryAfters.Add(rejection.RetryAfter);
            Clock.Advance(rejection.RetryAfter!.Value);
            Assert.Throws<IOException>(() => _subject.Growing());     // the probe fails
        }

        Assert.Equal(new TimeSpan?[] { Ms(1_000), Ms(2_000), Ms(4_000) }, retryAfters);
        Assert.Equal(Ms(4_000), Assert.Throws<BrokenCircuitException>(() => _subject.Growing()).RetryAfter);
    }
}

/// <summary>Retry budgets through generated retries, on the fake clock.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RetryBudgetBehaviourTests : RegistryTest
{
    private const string Type = "Resilience.Generators.Tests.Behaviour.BudgetSubject.";

    private readonly BudgetSubject _subject = new();

    [Fact]
    public void Retries_stop_once_the_budget_is_spent_and_each_call_then_gets_its_failure()
    {
        _subject.Script.Sync = static (_, _) => throw new IOException("down");

        for (int i = 0; i < 80; i++)
        {
            Assert.Throws<IOException>(() => _subject.Budgeted());
        }

        // 80 calls allow 10 retries a second for 10 seconds plus half of 80; without the budget they would make 160.
        RetryBudgetState budget = Budget(Type + "Budgeted");
        Assert.Equal((80, 140), budget.GetRecentCounts());
        Assert.Equal(80 + 140, _subject.Script.Calls);

        // From the 67th call on, each call is refused a retry once: its failure surfaces at the first refusal.
        Assert.Equal(14, budget.RefusedRetries);
    }

    [Fact]
    public async Task A_refused_retry_of_an_asynchronous_call_surfaces_its_exception()
    {
        RetryBudgetState budget = Spend(Type + "BudgetedAsync");
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        await Assert.ThrowsAsync<IOException>(() => _subject.BudgetedAsync().WaitAsync(HangGuard));

        Assert.Equal(1, _subject.Script.Calls);
        Assert.Equal(2, budget.RefusedRetries);     // the one that spent it, and this call's
    }

    [Fact]
    public void A_refused_retry_of_a_result_handled_as_a_failure_returns_that_result()
    {
        Spend(Type + "BudgetedResult");
        _subject.Script.Sync = static (_, _) => -1;

        Assert.Equal(-1, _subject.BudgetedResult());
        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public void The_budget_is_whole_again_once_its_window_has_passed()
    {
        Spend(Type + "Budgeted");
        _subject.Script.Sync = (call, _) => call < 2 ? throw new IOException("down") : call;

        Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(2, _subject.Budgeted());
    }

    [Fact]
    public async Task Methods_of_one_policy_name_count_their_calls_in_one_budget()
    {
        for (int i = 0; i < 3; i++)
        {
            _subject.SharedA();
        }

        await _subject.SharedBAsync();

        Assert.Equal((4, 0), Budget(BudgetSubject.SharedName).GetRecentCounts());
    }

    [Fact]
    public void A_retry_without_MaxRetryRatio_has_no_budget()
    {
        new RetrySubject().ThreeAttempts();

        Assert.DoesNotContain(Registry.RetryBudgets, b => b.Name.Contains("RetrySubject", StringComparison.Ordinal));
    }

    private static RetryBudgetState Budget(string name) => Registry.RetryBudgets.Single(b => b.Name == name);

    /// <summary>Takes every retry the budget has before any call, so that the next retry is refused.</summary>
    private static RetryBudgetState Spend(string name)
    {
        RetryBudgetState budget = Budget(name);
        while (budget.TryRetry())
        {
        }

        Assert.Equal(1, budget.RefusedRetries);
        return budget;
    }
}
