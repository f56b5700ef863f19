using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Polly;

namespace Resilience.Benchmarks;

/// <summary>First attempt succeeds, breaker closed, no timeout fires: the cost of the policies themselves.</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HappyPathBenchmarks
{
    private readonly Targets _targets = new();
    private ResiliencePipeline _pollyTrio = null!;
    private ResiliencePipeline<int> _pollyStack = null!;
    private ResiliencePipeline _pollyRetry = null!;
    private ResiliencePipeline _pollyBreaker = null!;
    private ResiliencePipeline _pollyTimeout = null!;

    [GlobalSetup]
    public void Setup()
    {
        ResilienceRegistry.Default.Reset();
        _pollyTrio = PollyPipelines.Trio();
        _pollyStack = PollyPipelines.Stack();
        _pollyRetry = PollyPipelines.RetryOnly();
        _pollyBreaker = PollyPipelines.CircuitBreakerOnly();
        _pollyTimeout = PollyPipelines.TimeoutOnly();
    }

    // ---- One attribute, ValueTask<int> ---------------------------------------------------------------------------

    [Benchmark(Baseline = true), BenchmarkCategory("Single")]
    public ValueTask<int> Direct() => _targets.WorkValueTask(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> Retry() => _targets.RetryAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> CircuitBreaker() => _targets.CircuitBreakerAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> CircuitBreakerTimingSlowCalls() => _targets.SlowCallBreakerAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> RetryWithBudget() => _targets.BudgetedRetryAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> Timeout() => _targets.TimeoutAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> Bulkhead() => _targets.BulkheadAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> RateLimit() => _targets.RateLimitAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> Fallback() => _targets.FallbackAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> PollyRetry() => _pollyRetry.ExecuteAsync(static (t, ct) => t.WorkValueTask(ct), _targets, CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> PollyCircuitBreaker() => _pollyBreaker.ExecuteAsync(static (t, ct) => t.WorkValueTask(ct), _targets, CancellationToken.None);

    [Benchmark, BenchmarkCategory("Single")]
    public ValueTask<int> PollyTimeout() => _pollyTimeout.ExecuteAsync(static (t, ct) => t.WorkValueTask(ct), _targets, CancellationToken.None);

    // ---- Timeout + retry + breaker ---------------------------------------------------------------------------------

    [Benchmark(Baseline = true), BenchmarkCategory("Trio")]
    public ValueTask<int> TrioDirect() => _targets.WorkValueTask(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Trio")]
    public ValueTask<int> TrioGenerated() => _targets.TrioAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Trio")]
    public ValueTask<int> TrioPolly() => _pollyTrio.ExecuteAsync(static (t, ct) => t.WorkValueTask(ct), _targets, CancellationToken.None);

    // ---- All six, for each return shape ----------------------------------------------------------------------------

    [Benchmark(Baseline = true), BenchmarkCategory("Stack-int")]
    public int StackIntDirect() => _targets.Work(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Stack-int")]
    public int StackIntGenerated() => _targets.Stack(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Stack-int")]
    public int StackIntPolly() => _pollyStack.Execute(static (t, ct) => t.Work(ct), _targets, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("Stack-ValueTask")]
    public ValueTask<int> StackValueTaskDirect() => _targets.WorkValueTask(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Stack-ValueTask")]
    public ValueTask<int> StackValueTaskGenerated() => _targets.StackValueTaskAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Stack-ValueTask")]
    public ValueTask<int> StackValueTaskPolly() => _pollyStack.ExecuteAsync(static (t, ct) => t.WorkValueTask(ct), _targets, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("Stack-Task")]
    public Task<int> StackTaskDirect() => _targets.WorkTask(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Stack-Task")]
    public Task<int> StackTaskGenerated() => _targets.StackTaskAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Stack-Task")]
    public Task<int> StackTaskPolly() => _pollyStack.ExecuteAsync(static (t, ct) => new ValueTask<int>(t.WorkTask(ct)), _targets, CancellationToken.None).AsTask();
}
