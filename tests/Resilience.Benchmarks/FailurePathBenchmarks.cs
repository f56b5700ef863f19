using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Polly;
using Polly.CircuitBreaker;

namespace Resilience.Benchmarks;

/// <summary>The paths where something goes wrong: one failed attempt (an exception, or a result judged a failure) then success, and an open circuit.</summary>
[MemoryDiagnoser]
[ExceptionDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FailurePathBenchmarks
{
    private readonly Targets _targets = new();
    private ResiliencePipeline _pollyRetryOnce = null!;
    private ResiliencePipeline<int> _pollyRetryOnceOnResult = null!;
    private ResiliencePipeline<int> _pollyOpen = null!;
    private ResiliencePipeline<int> _pollyOpenWithFallback = null!;
    private int _flip;
    private int _faultedFlip;
    private int _resultFlip;

    [GlobalSetup]
    public void Setup()
    {
        ResilienceRegistry.Default.Reset();
        _targets.OpenCircuitAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        ResilienceRegistry.Default.CircuitBreaker("bench-open").Isolate();
        _pollyRetryOnce = PollyPipelines.RetryOnce();
        _pollyRetryOnceOnResult = PollyPipelines.RetryOnceOnResult();
        (_pollyOpen, _pollyOpenWithFallback) = PollyPipelines.OpenCircuit();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("RetryOnce")]
    public ValueTask<int> RetryOnceGenerated() => _targets.RetryOnceAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("RetryOnce")]
    public ValueTask<int> RetryOncePolly() => _pollyRetryOnce.ExecuteAsync(
        static (state, ct) => (++state._flip & 1) == 1 ? throw new InvalidOperationException("transient") : new ValueTask<int>(42), this, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("RetryOnceOnResult")]
    public ValueTask<int> RetryOnceOnResultGenerated() => _targets.RetryOnceOnResultAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("RetryOnceOnResult")]
    public ValueTask<int> RetryOnceOnResultPolly() => _pollyRetryOnceOnResult.ExecuteAsync(
        static (state, ct) => new ValueTask<int>((++state._resultFlip & 1) == 1 ? -1 : 42), this, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("RetryOnceFaulted")]
    public ValueTask<int> RetryOnceFaultedGenerated() => _targets.RetryOnceFaultedAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("RetryOnceFaulted")]
    public ValueTask<int> RetryOnceFaultedPolly() => _pollyRetryOnce.ExecuteAsync(
        static (state, ct) => Targets.FailEveryOtherAsync(++state._faultedFlip), this, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("OpenCircuit")]
    public ValueTask<int> OpenCircuitWithFallbackGenerated() => _targets.OpenCircuitAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("OpenCircuit")]
    public int OpenCircuitPollyThrowing()
    {
        try
        {
            return _pollyOpen.Execute(static t => t.Work(CancellationToken.None), _targets);
        }
        catch (IsolatedCircuitException)
        {
            return 0;
        }
    }

    [Benchmark, BenchmarkCategory("OpenCircuit")]
    public async ValueTask<int> OpenCircuitPollyOutcome()
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get();
        Polly.Outcome<int> outcome = await _pollyOpen.ExecuteOutcomeAsync(static (_, t) => Polly.Outcome.FromResultAsValueTask(t.Work(CancellationToken.None)), context, _targets);
        ResilienceContextPool.Shared.Return(context);
        return outcome.Exception is null ? outcome.Result : 0;
    }

    [Benchmark, BenchmarkCategory("OpenCircuit")]
    public ValueTask<int> OpenCircuitPollyFallback() => _pollyOpenWithFallback.ExecuteAsync(static (t, ct) => t.WorkValueTask(ct), _targets, CancellationToken.None);
}
