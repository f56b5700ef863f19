using BenchmarkDotNet.Attributes;
using Polly;

namespace Resilience.Benchmarks;

/// <summary>A bulkhead of eight slots under contention: sixteen callers at once, each making a batch of calls.</summary>
[MemoryDiagnoser]
public class ContentionBenchmarks
{
    private const int Callers = 16;
    private const int CallsPerCaller = 100;

    private readonly Targets _targets = new();
    private ResiliencePipeline _pollyLimiter = null!;

    [GlobalSetup]
    public void Setup()
    {
        ResilienceRegistry.Default.Reset();
        _pollyLimiter = new ResiliencePipelineBuilder().AddConcurrencyLimiter(8, 1_000).Build();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers * CallsPerCaller)]
    public Task BulkheadGenerated() => Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
    {
        for (int i = 0; i < CallsPerCaller; i++)
        {
            await _targets.ContendedAsync(CancellationToken.None);
        }
    })));

    [Benchmark(OperationsPerInvoke = Callers * CallsPerCaller)]
    public Task BulkheadPolly() => Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
    {
        for (int i = 0; i < CallsPerCaller; i++)
        {
            await _pollyLimiter.ExecuteAsync(static async (t, ct) =>
            {
                await Task.Yield();
                return 42;
            }, _targets, CancellationToken.None);
        }
    })));
}
