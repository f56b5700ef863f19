namespace Resilience.Monitoring.Tests;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repository
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Resilience.Generators.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Resilience.Generators.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    });

    public static string Root => s_root.Value;

    public static string AlertRules => Path.Combine(Root, "monitoring", "prometheus", "resilience-alerts.yml");

    public static string AlertRuleTests => Path.Combine(Root, "monitoring", "prometheus", "resilience-alerts.test.yml");

    public static string Dashboard => Path.Combine(Root, "monitoring", "grafana", "resilience-dashboard.json");
}
