using BenchmarkDotNet.Attributes;

namespace Resilience.Benchmarks;

/// <summary>A small result, as a charge's receipt would be.</summary>
public sealed record BenchmarkReceipt(string Id, decimal Amount);

/// <summary>The methods measured: the same call with and without an idempotency key, and a retry without one for scale.</summary>
public sealed partial class IdempotencyTargets
{
    private static readonly BenchmarkReceipt s_receipt = new("charge-1", 10m);

    [Idempotent]
    public partial ValueTask<BenchmarkReceipt> ChargeAsync([IdempotencyKey] string requestId, CancellationToken ct);

    private ValueTask<BenchmarkReceipt> ChargeAsyncCore(string requestId, CancellationToken ct) => new(s_receipt);

    [Idempotent]
    public partial BenchmarkReceipt Charge([IdempotencyKey] string requestId);

    private BenchmarkReceipt ChargeCore(string requestId) => s_receipt;

    [Retry(3)]
    [Idempotent]
    public partial ValueTask<BenchmarkReceipt> ChargeWithoutKeyAsync(string requestId, CancellationToken ct);

    private ValueTask<BenchmarkReceipt> ChargeWithoutKeyAsyncCore(string requestId, CancellationToken ct) => new(s_receipt);
}

/// <summary>
/// The cost of an idempotency key: a hit (a repeat answered from the in-memory store: a lookup and reading the result
/// back from its JSON), a miss (a new key each call: the call runs and its result is written and stored), and, as the
/// baseline, a method whose [Idempotent] has no key, whose happy path allocates nothing (see AllocationTests).
/// </summary>
[MemoryDiagnoser]
public class IdempotencyBenchmarks
{
    private readonly IdempotencyTargets _targets = new();
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        ResilienceRegistry.Default.Reset();
        ResilienceRegistry.Default.UseIdempotencyStore(new InMemoryIdempotencyStore(maxEntries: 100_000));
        _targets.ChargeAsync("known", CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _targets.Charge("known");
    }

    [Benchmark(Baseline = true)]
    public BenchmarkReceipt WithoutKey() => _targets.ChargeWithoutKeyAsync("known", CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark]
    public BenchmarkReceipt HitAsync() => _targets.ChargeAsync("known", CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public BenchmarkReceipt HitSync() => _targets.Charge("known");

    [Benchmark]
    public BenchmarkReceipt MissAsync() => _targets.ChargeAsync("new-" + (++_next).ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None).AsTask().GetAwaiter().GetResult();
}
