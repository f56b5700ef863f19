using BenchmarkDotNet.Attributes;
using Polly;

namespace Resilience.Benchmarks;

/// <summary>
/// The happy path of timeout + retry + breaker (<see cref="Targets.TrioAsync"/>, policy name <c>bench-trio</c>) as
/// configuration leaves it: nothing configured (the baseline, today's path); chaos allowed and configured for another
/// name; a timeout override for its own name (the call runs through the helper, which completes synchronously); chaos
/// on for its own name with nothing drawn (the injector runs before every attempt); and Polly's pipeline with its
/// chaos strategies present but disabled. Each benchmark has its own setup, as the configuration is process-wide.
/// </summary>
[MemoryDiagnoser]
public class LiveSettingsBenchmarks
{
    private const string OwnName = "bench-trio";

    private readonly Targets _targets = new();
    private ResiliencePipeline _pollyChaosOff = null!;

    [GlobalSetup(Targets = [nameof(NothingConfigured)])]
    public void SetupNothingConfigured() => ResilienceRegistry.Default.Reset();

    [GlobalSetup(Targets = [nameof(ChaosForAnotherName)])]
    public void SetupChaosForAnotherName()
    {
        ResilienceRegistry.Default.Reset();
        ResilienceRegistry.Default.AllowChaos = true;
        Configure("bench-elsewhere", new PolicySettings { Chaos = new ChaosSettings { FaultRate = 0.1, LatencyMs = 500, LatencyRate = 0.2 } });
    }

    [GlobalSetup(Targets = [nameof(TimeoutOverridden)])]
    public void SetupTimeoutOverridden()
    {
        ResilienceRegistry.Default.Reset();
        Configure(OwnName, new PolicySettings { TimeoutMs = 2_000 });
    }

    [GlobalSetup(Targets = [nameof(ChaosOnNothingDrawn)])]
    public void SetupChaosOnNothingDrawn()
    {
        ResilienceRegistry.Default.Reset();
        ResilienceRegistry.Default.AllowChaos = true;

        // An outcome rate only draws for methods returning HttpResponseMessage: for this one the injector runs and draws nothing.
        Configure(OwnName, new PolicySettings { Chaos = new ChaosSettings { OutcomeRate = 1 } });
    }

    [GlobalSetup(Targets = [nameof(PollyChaosDisabled)])]
    public void SetupPolly()
    {
        ResilienceRegistry.Default.Reset();
        _pollyChaosOff = PollyPipelines.TrioWithChaosOff();
    }

    [GlobalCleanup]
    public void Cleanup() => ResilienceRegistry.Default.Reset();

    [Benchmark(Baseline = true)]
    public ValueTask<int> NothingConfigured() => _targets.TrioAsync(CancellationToken.None);

    [Benchmark]
    public ValueTask<int> ChaosForAnotherName() => _targets.TrioAsync(CancellationToken.None);

    [Benchmark]
    public ValueTask<int> TimeoutOverridden() => _targets.TrioAsync(CancellationToken.None);

    [Benchmark]
    public ValueTask<int> ChaosOnNothingDrawn() => _targets.TrioAsync(CancellationToken.None);

    [Benchmark]
    public ValueTask<int> PollyChaosDisabled() => _pollyChaosOff.ExecuteAsync(static (t, ct) => t.WorkValueTask(ct), _targets, CancellationToken.None);

    private static void Configure(string name, PolicySettings settings)
        => ResilienceRegistry.Default.Configure(new Dictionary<string, PolicySettings> { [name] = settings });
}
