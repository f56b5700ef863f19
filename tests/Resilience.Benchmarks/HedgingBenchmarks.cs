using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Polly;
using Polly.Hedging;

namespace Resilience.Benchmarks;

/// <summary>
/// A dependency whose every other call stalls: the odd calls take <see cref="StallMs"/> (or until cancelled), the even
/// ones answer after a yield. Calls are numbered across the whole process, and the benchmark calls one at a time, so
/// within one hedged call the first attempt stalls and the hedged one answers.
/// </summary>
public sealed class StallingDependency
{
    /// <summary>How long a stalled call would take if it were not cancelled.</summary>
    public const int StallMs = 200;

    private int _calls;

    /// <summary>Calls that ran to the end or were cancelled; a loser that is not cancelled would show up as the stall's full length.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public async ValueTask<int> CallAsync(CancellationToken ct)
    {
        if ((Interlocked.Increment(ref _calls) & 1) == 1)
        {
            await Task.Delay(StallMs, ct).ConfigureAwait(false);
            return 1;
        }

        await Task.Yield();
        return 42;
    }
}

/// <summary>The hedged methods measured: a first attempt that answers at once, and one that stalls behind a hedge.</summary>
public sealed partial class HedgingTargets
{
    /// <summary>The hedging delay of the stalled case: the winner's latency is this plus the hedge's own time.</summary>
    public const int DelayMs = 5;

    public StallingDependency Stalling { get; } = new();

    [Hedging(2, DelayMs = DelayMs)]
    [Idempotent]
    public partial ValueTask<int> AnswersAtOnceAsync(CancellationToken ct);

    private ValueTask<int> AnswersAtOnceAsyncCore(CancellationToken ct) => new(42);

    [Hedging(2, DelayMs = DelayMs)]
    [Idempotent]
    public partial ValueTask<int> StallsAsync(CancellationToken ct);

    private ValueTask<int> StallsAsyncCore(CancellationToken ct) => Stalling.CallAsync(ct);

    [Hedging(2, DelayMs = 0)]
    [Idempotent]
    public partial ValueTask<int> StallsInParallelAsync(CancellationToken ct);

    private ValueTask<int> StallsInParallelAsyncCore(CancellationToken ct) => Stalling.CallAsync(ct);
}

/// <summary>
/// [Hedging] against Polly v8's hedging strategy (<c>AddHedging</c>) with the same settings, on the same dependency:
/// the happy path (the first attempt answers at once: the cost of hedging when it is not needed), a first attempt
/// that stalls and is overtaken by a hedge started after <see cref="HedgingTargets.DelayMs"/> (the mean is the
/// winner's latency, about the delay plus the timer's resolution), and both attempts started at once.
/// </summary>
/// <remarks>
/// The stalled cases wait on the system clock, so their means are milliseconds and their spread is the timer's; what
/// they compare is the overhead on top of the same wait, and the allocations. The loser is cancelled in both
/// libraries: if it were not, <see cref="StallingDependency"/> would keep it for <see cref="StallingDependency.StallMs"/>.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HedgingBenchmarks
{
    private readonly HedgingTargets _targets = new();
    private readonly StallingDependency _pollyStalling = new();
    private ResiliencePipeline<int> _pollyLatency = null!;
    private ResiliencePipeline<int> _pollyParallel = null!;

    [GlobalSetup]
    public void Setup()
    {
        ResilienceRegistry.Default.Reset();
        _pollyLatency = new ResiliencePipelineBuilder<int>()
            .AddHedging(new HedgingStrategyOptions<int> { MaxHedgedAttempts = 1, Delay = TimeSpan.FromMilliseconds(HedgingTargets.DelayMs) })
            .Build();
        _pollyParallel = new ResiliencePipelineBuilder<int>()
            .AddHedging(new HedgingStrategyOptions<int> { MaxHedgedAttempts = 1, Delay = TimeSpan.Zero })
            .Build();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("AnswersAtOnce")]
    public ValueTask<int> AnswersAtOnceGenerated() => _targets.AnswersAtOnceAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("AnswersAtOnce")]
    public ValueTask<int> AnswersAtOncePolly() => _pollyLatency.ExecuteAsync(static _ => new ValueTask<int>(42), CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("StallsThenHedges")]
    public ValueTask<int> StallsThenHedgesGenerated() => _targets.StallsAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("StallsThenHedges")]
    public ValueTask<int> StallsThenHedgesPolly() => _pollyLatency.ExecuteAsync(static (dependency, ct) => dependency.CallAsync(ct), _pollyStalling, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("Parallel")]
    public ValueTask<int> ParallelGenerated() => _targets.StallsInParallelAsync(CancellationToken.None);

    [Benchmark, BenchmarkCategory("Parallel")]
    public ValueTask<int> ParallelPolly() => _pollyParallel.ExecuteAsync(static (dependency, ct) => dependency.CallAsync(ct), _pollyStalling, CancellationToken.None);
}
