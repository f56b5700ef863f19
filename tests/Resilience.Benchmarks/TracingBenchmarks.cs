using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Resilience.Benchmarks;

/// <summary>
/// The cost of the trace events, inside a current activity: the happy path (which never records one), and one failed
/// attempt then success (a retry event). With nobody listening to the <c>Resilience</c> activity source (the
/// default) both must cost what they cost without tracing and allocate nothing more; listened to, the retry adds one
/// event to the activity.
/// </summary>
[MemoryDiagnoser]
public class TracingBenchmarks
{
    private static readonly ActivitySource s_requests = new("Resilience.Benchmarks.Requests");

    private const int EventsPerActivity = 4_096;

    private readonly Targets _targets = new();
    private int _retriedCalls;
    private ActivityListener? _listener;
    private Activity? _request;

    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ResilienceRegistry.Default.Reset();
        if (Listening)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = static source => source.Name is "Resilience" or "Resilience.Benchmarks.Requests",
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_listener);
            _request = s_requests.StartActivity("request");
        }
        else
        {
            _request = new Activity("request").Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _request?.Dispose();
        _listener?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public ValueTask<int> HappyPath() => _targets.RetryAsync(CancellationToken.None);

    [Benchmark]
    public ValueTask<int> RetriedOnce()
    {
        if (Listening && ++_retriedCalls % EventsPerActivity == 0)
        {
            // A new activity now and then, so that the one the events go to does not grow without bound.
            _request?.Dispose();
            _request = s_requests.StartActivity("request");
        }

        return _targets.RetryOnceAsync(CancellationToken.None);
    }
}
