using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Resilience.Tests.Telemetry;

/// <summary>
/// Every test that reads the observable instruments belongs to this collection: they observe
/// <see cref="ResilienceRegistry.Default"/>, whose clock these tests replace, so they run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DefaultRegistryCollection
{
    public const string Name = "Default registry";
}

/// <summary>
/// Helpers for the telemetry tests. The <c>Resilience</c> meter is static and other tests run at the same time, so
/// every test names its policies uniquely and reads only the measurements tagged with them.
/// </summary>
internal static class TelemetryTesting
{
    public const string MeterName = "Resilience";
    public const string PolicyTag = "resilience.policy";

    /// <summary>A policy name no other test uses.</summary>
    public static string UniqueName(string what) => $"telemetry-{what}-{Guid.NewGuid():N}";

    /// <summary>Collects the measurements of one instrument of the <c>Resilience</c> meter, found by name (as an exporter would).</summary>
    public static MetricCollector<T> Collect<T>(string instrument)
        where T : struct
        => new(meterScope: null, MeterName, instrument);

    /// <summary>The measurements taken so far for the policy <paramref name="policy"/>.</summary>
    public static IReadOnlyList<CollectedMeasurement<T>> For<T>(this MetricCollector<T> collector, string policy)
        where T : struct
        => collector.GetMeasurementSnapshot().Where(m => m.Tags.TryGetValue(PolicyTag, out object? value) && Equals(value, policy)).ToArray();

    /// <summary>The value of the tag <paramref name="tag"/> on <paramref name="measurement"/>.</summary>
    public static object? Tag<T>(this CollectedMeasurement<T> measurement, string tag)
        where T : struct
        => measurement.Tags.TryGetValue(tag, out object? value) ? value : null;

    public static void Fail(this CircuitBreakerState breaker, int times = 1)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit), "The breaker rejected a call expected to fail.");
            breaker.RecordFailure(permit);
        }
    }

    public static void Succeed(this CircuitBreakerState breaker, int times = 1)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit), "The breaker rejected a call expected to succeed.");
            breaker.RecordSuccess(permit);
        }
    }
}

/// <summary>A listener that keeps every event it is told of, in order.</summary>
internal sealed class RecordingListener : ResilienceListener
{
    private readonly ConcurrentQueue<EventArgs> _events = new();

    public IReadOnlyList<EventArgs> Events => _events.ToArray();

    public IReadOnlyList<CircuitStateChangedEventArgs> StateChanges => _events.OfType<CircuitStateChangedEventArgs>().ToArray();

    public IReadOnlyList<RetryEventArgs> Retries => _events.OfType<RetryEventArgs>().ToArray();

    public IReadOnlyList<TimeoutEventArgs> Timeouts => _events.OfType<TimeoutEventArgs>().ToArray();

    public IReadOnlyList<RejectionEventArgs> Rejections => _events.OfType<RejectionEventArgs>().ToArray();

    public IReadOnlyList<FallbackEventArgs> Fallbacks => _events.OfType<FallbackEventArgs>().ToArray();

    public override void OnCircuitStateChanged(CircuitStateChangedEventArgs e) => _events.Enqueue(e);

    public override void OnRetry(RetryEventArgs e) => _events.Enqueue(e);

    public override void OnTimeout(TimeoutEventArgs e) => _events.Enqueue(e);

    public override void OnRejected(RejectionEventArgs e) => _events.Enqueue(e);

    public override void OnFallback(FallbackEventArgs e) => _events.Enqueue(e);
}

/// <summary>A listener that throws from every method, and counts how often it was called.</summary>
internal sealed class ThrowingListener : ResilienceListener
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public override void OnCircuitStateChanged(CircuitStateChangedEventArgs e) => Throw();

    public override void OnRetry(RetryEventArgs e) => Throw();

    public override void OnTimeout(TimeoutEventArgs e) => Throw();

    public override void OnRejected(RejectionEventArgs e) => Throw();

    public override void OnFallback(FallbackEventArgs e) => Throw();

    private void Throw()
    {
        Interlocked.Increment(ref _calls);
        throw new InvalidOperationException("The listener failed.");
    }
}
