using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;

namespace Resilience.Benchmarks;

/// <summary>
/// The cost of the Resilience meter on the happy path: with nobody listening (the default), and with a
/// <see cref="MeterListener"/> subscribed to every instrument whose callbacks do nothing (the floor of any
/// exporter, which adds its own aggregation on top).
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private readonly Targets _targets = new();
    private MeterListener? _listener;

    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ResilienceRegistry.Default.Reset();
        if (!Listening)
        {
            return;
        }

        _listener = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Resilience")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _listener.SetMeasurementEventCallback<int>(static (_, _, _, _) => { });
        _listener.Start();
    }

    [GlobalCleanup]
    public void Cleanup() => _listener?.Dispose();

    [Benchmark(Baseline = true)]
    public int Direct() => _targets.Work(CancellationToken.None);

    [Benchmark]
    public ValueTask<int> Retry() => _targets.RetryAsync(CancellationToken.None);

    [Benchmark]
    public int StackInt() => _targets.Stack(CancellationToken.None);
}
