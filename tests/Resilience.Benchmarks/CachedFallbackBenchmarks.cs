using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Resilience.Benchmarks;

/// <summary>
/// What <c>[CachedFallback]</c> costs: keeping each good result on the happy path (against the same breaker without it),
/// and answering a failure from the cache (an open circuit, a core that throws) against the fallback method answering
/// the same open circuit.
/// </summary>
[MemoryDiagnoser]
[ExceptionDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CachedFallbackBenchmarks
{
    private readonly CachedFallbackTargets _targets = new();
    private readonly Targets _fallbackTargets = new();

    [GlobalSetup]
    public void Setup()
    {
        ResilienceRegistry.Default.Reset();

        // One good result each, then the breakers are isolated: every later call is answered from the cache (or the fallback).
        _targets.OpenCircuitAsync("sku-1", CancellationToken.None).AsTask().GetAwaiter().GetResult();
        ResilienceRegistry.Default.CircuitBreaker("bench-cache-open").Isolate();
        _fallbackTargets.OpenCircuitAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        ResilienceRegistry.Default.CircuitBreaker("bench-open").Isolate();
        _targets.Fail = false;
        _targets.ThrowingAsync("sku-1", CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _targets.Fail = true;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("HappyPath")]
    public ValueTask<int> BreakerWithoutCache() => _targets.BreakerAsync("sku-1", CancellationToken.None);

    [Benchmark, BenchmarkCategory("HappyPath")]
    public ValueTask<int> BreakerKeepingEachResult() => _targets.CachedAsync("sku-1", CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("OpenCircuit")]
    public ValueTask<int> OpenCircuitAnsweredByFallbackMethod() => _fallbackTargets.OpenCircuitAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("OpenCircuit")]
    public ValueTask<int> OpenCircuitAnsweredFromCache() => _targets.OpenCircuitAsync("sku-1", CancellationToken.None);

    [Benchmark, BenchmarkCategory("Exception")]
    public ValueTask<int> ExceptionAnsweredFromCache() => _targets.ThrowingAsync("sku-1", CancellationToken.None);
}

/// <summary>The annotated methods of <see cref="CachedFallbackBenchmarks"/>, keyed by one string argument.</summary>
public sealed partial class CachedFallbackTargets
{
    private static readonly InvalidOperationException s_failure = new("down");

    /// <summary>Whether <see cref="ThrowingAsync"/>'s core throws.</summary>
    public bool Fail { get; set; }

    [CircuitBreaker(5, Name = "bench-cache-baseline")]
    public partial ValueTask<int> BreakerAsync(string sku, CancellationToken ct);
    private ValueTask<int> BreakerAsyncCore(string sku, CancellationToken ct) => new(42);

    [CircuitBreaker(5, Name = "bench-cache")]
    [CachedFallback(300_000)]
    public partial ValueTask<int> CachedAsync(string sku, CancellationToken ct);
    private ValueTask<int> CachedAsyncCore(string sku, CancellationToken ct) => new(42);

    /// <summary>Its breaker is isolated in setup, after one good result: every call is answered from the cache.</summary>
    [CircuitBreaker(5, Name = "bench-cache-open")]
    [CachedFallback(300_000)]
    public partial ValueTask<int> OpenCircuitAsync(string sku, CancellationToken ct);
    private ValueTask<int> OpenCircuitAsyncCore(string sku, CancellationToken ct) => new(42);

    [CachedFallback(300_000)]
    public partial ValueTask<int> ThrowingAsync(string sku, CancellationToken ct);
    private ValueTask<int> ThrowingAsyncCore(string sku, CancellationToken ct) => Fail ? throw s_failure : new(42);
}
