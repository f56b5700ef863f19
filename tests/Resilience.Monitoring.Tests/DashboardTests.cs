using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Resilience.Monitoring.Tests;

/// <summary><c>monitoring/grafana/resilience-dashboard.json</c>: its panels, and every PromQL expression in it checked by <c>promtool</c>.</summary>
[Collection(ExportedMetricsCollection.Name)]
public sealed partial class DashboardTests(ExportedMetrics exported)
{
    /// <summary>The panels the requirements ask for.</summary>
    public static TheoryData<string> RequiredPanels => new()
    {
        "Breaker state", "Success rate", "Failures per minute", "Consecutive failures", "Time in each state",
        "Retries per minute", "Retry success rate", "Mean retry delay", "Error distribution", "Bulkhead usage",
    };

    [Theory]
    [MemberData(nameof(RequiredPanels))]
    public void The_dashboard_has_the_panel_with_a_query_per_policy(string title)
    {
        JsonObject panel = Assert.Single(Panels(), p => (string?)p["title"] == title);

        JsonArray targets = panel["targets"]!.AsArray();
        Assert.NotEmpty(targets);
        Assert.All(targets, t => Assert.Contains("resilience_policy=~\"$policy\"", (string)t!["expr"]!, StringComparison.Ordinal));
        Assert.All(targets, t => Assert.Equal("${datasource}", (string?)t!["datasource"]!["uid"]));
    }

    [RealComponentFact("promtool", "prometheus")]
    public async Task Promtool_accepts_every_expression_of_the_dashboard()
    {
        string promtool = RealComponent.Require("promtool", "prometheus");
        IReadOnlyList<string> expressions = Expressions();
        string rules = Path.Combine(Path.GetTempPath(), $"resilience-dashboard-{Guid.NewGuid():N}.rules.yml");
        var text = new System.Text.StringBuilder("# The dashboard's queries as recording rules, Grafana's variables given values.\ngroups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < expressions.Count; i++)
        {
            // A JSON string is a YAML string.
            text.Append($"      - record: dashboard:query_{i}\n        expr: {JsonSerializer.Serialize(WithVariablesReplaced(expressions[i]))}\n");
        }

        await File.WriteAllTextAsync(rules, text.ToString());
        try
        {
            (int exitCode, string output) = await RealComponent.RunAsync(promtool, "check", "rules", rules);

            Assert.True(exitCode == 0, output + "\n" + text);
            Assert.Contains($"SUCCESS: {expressions.Count} rules found", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    [Fact]
    public void Every_metric_the_dashboard_uses_is_one_the_library_emits()
    {
        IReadOnlySet<string> emitted = EmittedMetrics.AllPrometheusNames();
        string policyVariable = (string)Variables().Single(v => (string?)v["name"] == "policy")["definition"]!;
        Match labelValues = LabelValues().Match(policyVariable);
        Assert.True(labelValues.Success, $"The policy variable's query is '{policyVariable}', not label_values(metric, resilience_policy).");
        Assert.True(exported.LabelNames.Contains(labelValues.Groups[2].Value), $"The policy variable reads the label {labelValues.Groups[2].Value}, which the exporter does not write.");

        string[] used = Expressions().Append(labelValues.Groups[1].Value).SelectMany(PromQl.MetricNames).Distinct().ToArray();

        Assert.True(used.Length >= 10, $"Only {used.Length} metrics found in the dashboard: {string.Join(", ", used)}.");
        Assert.All(used, name => Assert.True(emitted.Contains(name), $"The dashboard uses {name}, which the library does not emit; it emits: {string.Join(", ", emitted.Order())}."));
    }

    [Fact]
    public void Every_label_the_dashboard_uses_is_one_the_exporter_writes()
    {
        string[] used = Expressions().SelectMany(PromQl.LabelNames).Except(ExportedMetricsCollection.PrometheusLabels).Distinct().ToArray();
        string[] legends = Panels().SelectMany(p => p["targets"]!.AsArray()).SelectMany(t => Legend().Matches((string?)t!["legendFormat"] ?? string.Empty).Select(m => m.Groups[1].Value)).ToArray();

        Assert.All(used.Concat(legends).Distinct(), label => Assert.True(exported.LabelNames.Contains(label), $"The dashboard uses the label {label}, which the exporter does not write."));
    }

    [Fact]
    public void Panels_do_not_overlap()
    {
        var occupied = new HashSet<(int X, int Y)>();
        foreach (JsonObject panel in Panels(includeRows: true))
        {
            JsonNode grid = panel["gridPos"]!;
            int x0 = (int)grid["x"]!, y0 = (int)grid["y"]!, w = (int)grid["w"]!, h = (int)grid["h"]!;
            Assert.True(x0 + w <= 24, $"The panel '{panel["title"]}' is wider than the dashboard.");
            for (int x = x0; x < x0 + w; x++)
            {
                for (int y = y0; y < y0 + h; y++)
                {
                    Assert.True(occupied.Add((x, y)), $"The panel '{panel["title"]}' overlaps another at ({x}, {y}).");
                }
            }
        }
    }

    /// <summary>Grafana's variables as a query sent by the dashboard would have them.</summary>
    private static string WithVariablesReplaced(string expression)
        => expression
            .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
            .Replace("$__range", "6h", StringComparison.Ordinal)
            .Replace("$policy", ".*", StringComparison.Ordinal);

    private static JsonObject Dashboard() => JsonNode.Parse(File.ReadAllText(Repository.Dashboard))!.AsObject();

    private static IEnumerable<JsonObject> Variables() => Dashboard()["templating"]!["list"]!.AsArray().Select(v => v!.AsObject());

    private static IReadOnlyList<JsonObject> Panels(bool includeRows = false)
        => Dashboard()["panels"]!.AsArray()
            .Select(p => p!.AsObject())
            .SelectMany(p => (string?)p["type"] == "row" ? RowAndPanels(p, includeRows) : [p])
            .ToArray();

    private static IEnumerable<JsonObject> RowAndPanels(JsonObject row, bool includeRow)
    {
        if (includeRow)
        {
            yield return row;
        }

        foreach (JsonNode? panel in row["panels"]!.AsArray())
        {
            yield return panel!.AsObject();
        }
    }

    private static IReadOnlyList<string> Expressions()
        => Panels().SelectMany(p => p["targets"]!.AsArray()).Select(t => (string)t!["expr"]!).ToArray();

    [GeneratedRegex(@"^label_values\((\w+),\s*(\w+)\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\{\{\s*(\w+)\s*\}\}")]
    private static partial Regex Legend();
}
