using System.Text.RegularExpressions;

namespace Resilience.Monitoring.Tests;

/// <summary><c>monitoring/prometheus/resilience-alerts.yml</c>, checked and unit-tested by Prometheus' own <c>promtool</c>.</summary>
public sealed partial class AlertRulesTests
{
    /// <summary>The alerts the requirements ask for, each with the default threshold it must be written with.</summary>
    public static TheoryData<string, string> RequiredAlerts => new()
    {
        { "ResilienceCircuitBreakerOpen", "for: 5m" },
        { "ResilienceLowSuccessRate", "< 0.8" },
        { "ResilienceConsecutiveFailures", "> 10" },
        { "ResilienceFrequentRetries", "> 5" },
        { "ResilienceLowRetrySuccessRate", "< 0.5" },
        { "ResilienceLongRetryDelays", "> 30" },
    };

    [RealComponentFact("promtool", "prometheus")]
    public async Task Promtool_accepts_the_alert_rules()
    {
        string promtool = RealComponent.Require("promtool", "prometheus");

        (int exitCode, string output) = await RealComponent.RunAsync(promtool, "check", "rules", Repository.AlertRules);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"SUCCESS: {AlertNames().Count} rules found", output, StringComparison.Ordinal);
    }

    [RealComponentFact("promtool", "prometheus")]
    public async Task Every_alert_passes_its_promtool_unit_tests()
    {
        string promtool = RealComponent.Require("promtool", "prometheus");

        (int exitCode, string output) = await RealComponent.RunAsync(promtool, "test", "rules", Repository.AlertRuleTests);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [RealComponentFact("promtool", "prometheus")]
    public async Task The_web_samples_prometheus_configuration_is_valid_and_loads_the_alert_rules()
    {
        string promtool = RealComponent.Require("promtool", "prometheus");
        string configuration = Path.Combine(Repository.Root, "samples", "Resilience.Samples.WebApi", "prometheus.yml");

        (int exitCode, string output) = await RealComponent.RunAsync(promtool, "check", "config", configuration);

        Assert.True(exitCode == 0, output);
        Assert.Contains("resilience-alerts.yml", output, StringComparison.Ordinal);
        Assert.Contains($"SUCCESS: {AlertNames().Count} rules found", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RequiredAlerts))]
    public void Each_required_alert_is_in_the_rules_with_its_documented_threshold(string alert, string threshold)
    {
        string rules = File.ReadAllText(Repository.AlertRules);
        string rule = RuleText(rules, alert);

        Assert.Contains(threshold, rule, StringComparison.Ordinal);
        string documentation = File.ReadAllText(Path.Combine(Repository.Root, "monitoring", "README.md"));
        Assert.Contains($"`{alert}`", documentation, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_alert_in_the_rules_is_in_the_monitoring_readme()
    {
        string documentation = File.ReadAllText(Path.Combine(Repository.Root, "monitoring", "README.md"));

        Assert.Equal(12, AlertNames().Count);
        Assert.All(AlertNames(), alert => Assert.True(documentation.Contains($"| `{alert}` |", StringComparison.Ordinal), $"monitoring/README.md does not list {alert} in its table of alerts."));
    }

    [Fact]
    public void Every_alert_has_a_unit_test_with_series_that_fire_and_series_that_must_not()
    {
        string tests = File.ReadAllText(Repository.AlertRuleTests);
        string[] groups = tests.Split("\n  - interval:", StringSplitOptions.None).Skip(1).ToArray();

        Assert.All(AlertNames(), alert =>
        {
            string? group = groups.FirstOrDefault(g => g.Contains($"alertname: {alert}\n", StringComparison.Ordinal));
            Assert.True(group is not null, $"No unit test of {alert} in {Repository.AlertRuleTests}.");
            HashSet<string> series = SeriesSubject().Matches(group).Select(m => m.Groups[1].Value + "=" + m.Groups[2].Value).ToHashSet();
            HashSet<string> firing = ExpectedSubject().Matches(group).Select(m => m.Groups[1].Value + "=" + m.Groups[2].Value).ToHashSet();
            Assert.True(firing.Count > 0, $"The unit test of {alert} expects it to fire for no series.");
            Assert.True(series.Except(firing).Any(), $"The unit test of {alert} has no series for which it must not fire.");
        });
    }

    private static List<string> AlertNames()
        => AlertName().Matches(File.ReadAllText(Repository.AlertRules)).Select(m => m.Groups[1].Value).ToList();

    /// <summary>The text of the rule <paramref name="alert"/>, up to the next rule.</summary>
    private static string RuleText(string rules, string alert)
    {
        int start = rules.IndexOf($"- alert: {alert}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No alert {alert} in {Repository.AlertRules}.");
        int end = rules.IndexOf("- alert: ", start + 1, StringComparison.Ordinal);
        return end < 0 ? rules[start..] : rules[start..end];
    }

    [GeneratedRegex(@"^\s*- alert: (\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    // What a series is about: its policy, or for the checkpoints (which belong to no policy) its stage.
    [GeneratedRegex(@"series: '[^']*(resilience_policy|resilience_checkpoint_stage)=""([^""]+)""")]
    private static partial Regex SeriesSubject();

    [GeneratedRegex(@"exp_labels: \{[^}]*(resilience_policy|resilience_checkpoint_stage): ([\w-]+)")]
    private static partial Regex ExpectedSubject();
}
