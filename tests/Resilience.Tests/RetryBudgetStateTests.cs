using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>The shared retry budget: ten retries a second over a ten-second window, plus MaxRetryRatio of the calls.</summary>
public sealed class RetryBudgetStateTests
{
    /// <summary>The floor over the whole window: ten retries a second for ten seconds.</summary>
    private const int Floor = 100;

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public RetryBudgetStateTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void Without_calls_the_floor_of_ten_retries_a_second_is_allowed_and_no_more()
    {
        RetryBudgetState budget = Create(0.1);

        Assert.Equal(Floor, Retries(budget, Floor + 5));
        Assert.Equal(5, budget.RefusedRetries);
    }

    [Fact]
    public void The_ratio_of_the_calls_is_allowed_on_top_of_the_floor()
    {
        RetryBudgetState budget = Create(0.1);
        RecordCalls(budget, 1_000);

        Assert.Equal(Floor + 100, Retries(budget, 1_000));
        Assert.Equal((1_000, Floor + 100), budget.GetRecentCounts());
    }

    [Fact]
    public void Calls_and_retries_older_than_ten_seconds_are_forgotten()
    {
        RetryBudgetState budget = Create(0.5);
        RecordCalls(budget, 100);
        Assert.Equal(Floor + 50, Retries(budget, 1_000));

        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal((0, 0), budget.GetRecentCounts());
        Assert.Equal(Floor, Retries(budget, 1_000));
    }

    [Fact]
    public void A_budget_turned_off_by_configuration_allows_every_retry()
    {
        RetryBudgetState budget = Create(0.1);
        _registry.Configure(new Dictionary<string, PolicySettings> { ["orders"] = new() { MaxRetryRatio = 0 } });

        Assert.Equal(1_000, Retries(budget, 1_000));
        Assert.Equal(0, budget.RefusedRetries);
    }

    [Fact]
    public void A_ratio_from_configuration_replaces_the_attributes()
    {
        RetryBudgetState budget = Create(0.1);
        _registry.Configure(new Dictionary<string, PolicySettings> { ["orders"] = new() { MaxRetryRatio = 1 } });
        RecordCalls(budget, 50);

        Assert.Equal(Floor + 50, Retries(budget, 1_000));
        Assert.Equal(1, budget.Options.MaxRetryRatio);
    }

    [Fact]
    public void The_registry_lists_budgets_by_name_and_its_reset_forgets_their_counts()
    {
        RetryBudgetState budget = Create(0.1);
        Retries(budget, Floor + 1);

        _registry.Reset();

        Assert.Same(budget, Assert.Single(_registry.RetryBudgets));
        Assert.Contains("orders", _registry.PolicyNames);
        Assert.Equal(0, budget.RefusedRetries);
        Assert.Equal((0, 0), budget.GetRecentCounts());
    }

    [Fact]
    public void Methods_sharing_a_name_share_one_budget()
    {
        Assert.Same(Create(0.1), Create(0.1));
    }

    [Theory]
    [InlineData(-0.1, "RetryBudgetOptions.MaxRetryRatio is -0.1; it must be 0 (off) or in (0, 1].")]
    [InlineData(1.5, "RetryBudgetOptions.MaxRetryRatio is 1.5; it must be 0 (off) or in (0, 1].")]
    public void A_ratio_out_of_range_is_refused_with_its_range(double ratio, string message)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Create(ratio));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Counting_a_call_allocates_nothing()
    {
        RetryBudgetState budget = Create(0.1);
        RecordCalls(budget, 10);

        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordCalls(budget, 1_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private RetryBudgetState Create(double ratio) => _registry.GetOrAddRetryBudget("orders", new RetryBudgetOptions { MaxRetryRatio = ratio });

    private static void RecordCalls(RetryBudgetState budget, int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            budget.RecordCall();
        }
    }

    /// <summary>Asks for <paramref name="asked"/> retries and returns how many were allowed.</summary>
    private static int Retries(RetryBudgetState budget, int asked)
    {
        int allowed = 0;
        for (int i = 0; i < asked; i++)
        {
            if (budget.TryRetry())
            {
                allowed++;
            }
        }

        return allowed;
    }
}
