using System.Diagnostics.Metrics;

namespace Resilience.Tests.Telemetry;

/// <summary>
/// Telemetry keeps the happy path free: recording a call's outcome allocates nothing, whether or not a meter
/// listener listens, and a registered <see cref="ResilienceListener"/> costs the primitives nothing while nothing
/// happens. Measured like <see cref="AllocationTests"/>, in its collection (which runs alone, so that no other
/// test's collector is listening while the "nothing listens" cases run).
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class TelemetryAllocationTests
{
    private const int Iterations = 10_000;

    [Fact]
    public void Timing_and_counting_a_successful_call_allocates_nothing_while_nothing_listens()
    {
        MethodTelemetry telemetry = new ResilienceRegistry().GetTelemetry("unobserved", "Shop.Client.Get");

        Assert.Equal(0, AllocatedBytes(() => telemetry.RecordSuccess(telemetry.Start())));
    }

    [Fact]
    public void Timing_and_counting_a_successful_call_allocates_nothing_while_a_meter_listener_listens()
    {
        MethodTelemetry telemetry = new ResilienceRegistry().GetTelemetry("observed", "Shop.Client.Get");
        long measurements = 0;
        using MeterListener listener = ListenToEveryResilienceInstrument(() => measurements++);

        long bytes = AllocatedBytes(() => telemetry.RecordSuccess(telemetry.Start()));

        Assert.Equal(0, bytes);
        Assert.True(measurements >= 2L * (1_000 + Iterations), $"{measurements} measurements: a count and a duration per call were expected.");
    }

    [Fact]
    public void Counting_a_fallback_allocates_nothing_while_no_listener_is_registered()
    {
        MethodTelemetry telemetry = new ResilienceRegistry().GetTelemetry("unheard-fallback", "Shop.Client.Get");

        Assert.Equal(0, AllocatedBytes(() => telemetry.RecordFallback(telemetry.Start())));
    }

    [Fact]
    public void Counting_the_attempts_of_hedged_calls_allocates_nothing_while_a_meter_listener_listens()
    {
        MethodTelemetry telemetry = new ResilienceRegistry().GetTelemetry("hedged", "Shop.Client.Get");
        long measurements = 0;
        using MeterListener listener = ListenToEveryResilienceInstrument(() => measurements++);

        long bytes = AllocatedBytes(() =>
        {
            for (int attempt = 1; attempt <= 10; attempt++)
            {
                telemetry.RecordHedgedAttempt(attempt);
                telemetry.RecordHedgingWinner(attempt);
            }
        });

        Assert.Equal(0, bytes);
        Assert.Equal(2L * 10 * (1_000 + Iterations), measurements);
    }

    [Fact]
    public void The_primitives_happy_paths_allocate_nothing_with_a_listener_registered_and_a_meter_listener_listening()
    {
        var registry = new ResilienceRegistry();
        var recorder = new RecordingListener();
        using IDisposable registration = registry.AddListener(recorder);
        using MeterListener meterListener = ListenToEveryResilienceInstrument(static () => { });
        CircuitBreakerState consecutive = registry.GetOrAddCircuitBreaker("consecutive", new CircuitBreakerOptions());
        CircuitBreakerState ratio = registry.GetOrAddCircuitBreaker("ratio", new CircuitBreakerOptions { FailureRatio = 0.5, SamplingDurationMs = 10 });
        BulkheadState bulkhead = registry.GetOrAddBulkhead("bulkhead", new BulkheadOptions { MaxConcurrency = 2, MaxQueue = 2 });
        RateLimiterState limiter = registry.GetOrAddRateLimiter("limiter", new RateLimitOptions { Permits = int.MaxValue, WindowMs = 60_000, QueueLimit = 1 });

        Assert.Equal(0, AllocatedBytes(() =>
        {
            if (!consecutive.TryEnter(out CircuitBreakerPermit first) || !ratio.TryEnter(out CircuitBreakerPermit second))
            {
                throw new InvalidOperationException("rejected");
            }

            consecutive.RecordSuccess(first);
            ratio.RecordSuccess(second);

            ValueTask<bool> entering = bulkhead.EnterAsync(CancellationToken.None);
            ValueTask<bool> acquiring = limiter.AcquireAsync(CancellationToken.None);
            if (!entering.IsCompletedSuccessfully || !entering.Result || !acquiring.IsCompletedSuccessfully || !acquiring.Result)
            {
                throw new InvalidOperationException("rejected");
            }

            bulkhead.Release();
            registry.StartTimeout(TimeSpan.FromHours(1), CancellationToken.None).Return();
        }));
        Assert.Empty(recorder.Events);
    }

    /// <summary>A meter listener enabled on every instrument of the <c>Resilience</c> meter, whose callbacks only call <paramref name="onMeasurement"/>.</summary>
    private static MeterListener ListenToEveryResilienceInstrument(Action onMeasurement)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Resilience")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => onMeasurement());
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => onMeasurement());
        listener.SetMeasurementEventCallback<int>((_, _, _, _) => onMeasurement());
        listener.Start();
        return listener;
    }

    private static long AllocatedBytes(Action operation) => TestSupport.AllocatedBytes(operation, Iterations);
}
