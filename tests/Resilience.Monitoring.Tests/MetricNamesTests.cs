using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Resilience.Monitoring.Tests;

/// <summary>
/// A web application exporting the <c>Resilience</c> meter with OpenTelemetry's Prometheus exporter, after every
/// instrument recorded something; scraped once.
/// </summary>
public sealed partial class ExportedMetrics : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary>The names of the series in the scrape, and of their labels.</summary>
    public IReadOnlySet<string> SeriesNames { get; private set; } = new HashSet<string>();

    public IReadOnlySet<string> LabelNames { get; private set; } = new HashSet<string>();

    public string Scrape { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(EmittedMetrics.MeterName)
            .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
        _app = builder.Build();
        _app.MapPrometheusScrapingEndpoint();
        await _app.StartAsync();

        await new MonitoredClient().ExerciseEverythingAsync();

        Scrape = await _app.GetTestClient().GetStringAsync("/metrics");
        string[] samples = Scrape.Split('\n').Where(l => l.StartsWith("resilience_", StringComparison.Ordinal)).ToArray();
        SeriesNames = samples.Select(l => l[..l.IndexOfAny(['{', ' '])]).ToHashSet(StringComparer.Ordinal);
        LabelNames = samples.SelectMany(l => Label().Matches(l).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [GeneratedRegex(@"[{,](\w+)=""")]
    private static partial Regex Label();
}

/// <summary>The tests that read the one scrape of <see cref="ExportedMetrics"/> (its generated methods can be exercised only once).</summary>
[CollectionDefinition(Name)]
public sealed class ExportedMetricsCollection : ICollectionFixture<ExportedMetrics>
{
    public const string Name = "Exported metrics";

    /// <summary>Labels Prometheus adds itself, or the exporter adds to histograms.</summary>
    public static readonly string[] PrometheusLabels = ["instance", "job", "le"];
}

/// <summary>The metric names the monitoring files rely on, against the meter read at run time and the exporter's real output.</summary>
[Collection(ExportedMetricsCollection.Name)]
public sealed class MetricNamesTests(ExportedMetrics exported)
{

    [Fact]
    public void The_meter_publishes_the_instruments_the_alerts_need()
    {
        IReadOnlyList<Instrument> instruments = EmittedMetrics.Instruments();

        Assert.Contains(instruments, i => i.Name == "resilience.retry.delay" && i.Unit == "s" && i is Histogram<double>);
        Assert.Contains(instruments, i => i.Name == "resilience.retry.calls" && i is Counter<long>);
        Assert.Contains(instruments, i => i.Name == "resilience.circuit_breaker.consecutive_failures" && i is ObservableGauge<int>);
        Assert.Contains(instruments, i => i.Name == "resilience.circuit_breaker.time_in_state" && i.Unit == "s" && i is ObservableCounter<double>);
    }

    [Fact]
    public void The_exporter_names_every_instrument_as_the_documented_mapping_says()
    {
        IReadOnlySet<string> mapped = EmittedMetrics.AllPrometheusNames();

        Assert.Equal(mapped.Order(StringComparer.Ordinal), exported.SeriesNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_metric_the_alert_rules_use_is_one_the_library_emits()
    {
        IReadOnlySet<string> emitted = EmittedMetrics.AllPrometheusNames();
        IReadOnlyList<string> expressions = PromQl.RuleExpressions(Repository.AlertRules);
        Assert.NotEmpty(expressions);

        string[] used = expressions.SelectMany(PromQl.MetricNames).Distinct().ToArray();

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(emitted.Contains(name), $"The alert rules use {name}, which the library does not emit; it emits: {string.Join(", ", emitted.Order())}."));
    }

    [Fact]
    public void Every_label_the_alert_rules_use_is_one_the_exporter_writes()
    {
        string[] used = PromQl.RuleExpressions(Repository.AlertRules).SelectMany(PromQl.LabelNames).Except(ExportedMetricsCollection.PrometheusLabels).Distinct().ToArray();

        Assert.NotEmpty(used);
        Assert.All(used, label => Assert.True(exported.LabelNames.Contains(label), $"The alert rules use the label {label}, which the exporter does not write; it writes: {string.Join(", ", exported.LabelNames.Order())}."));
    }

    [Fact]
    public void Reading_names_from_an_expression_tells_metrics_from_labels()
    {
        const string expression = "sum by (resilience_policy) (rate(resilience_calls_total{resilience_outcome!=\"canceled\"}[5m])) / on (resilience_policy) resilience_circuit_breaker_state";

        Assert.Equal(["resilience_calls_total", "resilience_circuit_breaker_state"], PromQl.MetricNames(expression));
        Assert.Equal(["resilience_outcome", "resilience_policy"], PromQl.LabelNames(expression).Order());
    }
}
