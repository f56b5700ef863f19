namespace Resilience;

/// <summary>
/// The names to subscribe to the library's telemetry with: its meter and its activity source, both named
/// <c>Resilience</c>. With OpenTelemetry: <c>.WithMetrics(m =&gt; m.AddMeter(ResilienceDiagnostics.MeterName))</c>
/// and <c>.WithTracing(t =&gt; t.AddSource(ResilienceDiagnostics.ActivitySourceName))</c>.
/// </summary>
public static class ResilienceDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every instrument of the library is on.</summary>
    public const string MeterName = ResilienceMetrics.MeterName;

    /// <summary>
    /// The name of the <see cref="System.Diagnostics.ActivitySource"/> whose listeners turn on the library's trace events:
    /// retries, timeouts, rejections, fallbacks, changes of circuit state, hedged attempts and their winners, each added as an
    /// <see cref="System.Diagnostics.ActivityEvent"/> to the activity current at the time (the request or the outgoing
    /// call the policy acts in). Nothing is recorded while the source has no listener.
    /// </summary>
    public const string ActivitySourceName = ResilienceTracing.SourceName;
}
