using System.Diagnostics.Metrics;

namespace Resilience.Monitoring.Tests;

/// <summary>
/// The instruments of the library's <c>Resilience</c> meter, as a <see cref="MeterListener"/> sees them published, and
/// the names the OpenTelemetry Prometheus exporter gives them.
/// </summary>
internal static class EmittedMetrics
{
    public const string MeterName = "Resilience";

    /// <summary>Every instrument of the meter, published by the time the library has been used once.</summary>
    public static IReadOnlyList<Instrument> Instruments()
    {
        MonitoredClient.TouchLibrary();
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == MeterName)
                {
                    lock (instruments)
                    {
                        instruments.Add(instrument);
                    }
                }
            },
        };
        listener.Start();
        return instruments;
    }

    /// <summary>
    /// The Prometheus series names of <paramref name="instrument"/>: dots become underscores, the unit <c>s</c> adds
    /// <c>_seconds</c> (a unit in braces adds nothing), a counter ends in <c>_total</c>, and a histogram is
    /// <c>_bucket</c>, <c>_sum</c> and <c>_count</c>.
    /// </summary>
    public static IReadOnlyList<string> PrometheusNames(Instrument instrument)
    {
        string unit = instrument.Unit switch
        {
            null or "" => string.Empty,
            ['{', .., '}'] => string.Empty,
            "s" => "_seconds",
            _ => throw new InvalidOperationException($"The instrument {instrument.Name} has the unit '{instrument.Unit}', which this mapping does not know: add it."),
        };
        string name = instrument.Name.Replace('.', '_') + unit;
        Type kind = instrument.GetType().GetGenericTypeDefinition();
        if (kind == typeof(Counter<>) || kind == typeof(ObservableCounter<>))
        {
            return [name + "_total"];
        }

        if (kind == typeof(Histogram<>))
        {
            return [name + "_bucket", name + "_sum", name + "_count"];
        }

        return [name];
    }

    /// <summary>The Prometheus names of every instrument of the meter.</summary>
    public static IReadOnlySet<string> AllPrometheusNames()
        => Instruments().SelectMany(PrometheusNames).ToHashSet(StringComparer.Ordinal);
}
