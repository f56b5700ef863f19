using System.Reflection;
using Microsoft.CodeAnalysis;
using Resilience.Generators.Tests.Infrastructure;

namespace Resilience.Generators.Tests.Diagnostics;

/// <summary>
/// Every diagnostic the generator and the analyzers report, against its page in docs/diagnostics: the title an IDE
/// shows is the page's heading and the release files' note, the severity is the page's, the help link opens the page,
/// and nothing is off by default.
/// </summary>
public sealed class DescriptorTests
{
    public static TheoryData<string> Descriptors()
    {
        var data = new TheoryData<string>();
        foreach (FieldInfo field in Fields())
        {
            data.Add(field.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void Each_diagnostic_has_its_page_whose_heading_is_its_title_and_whose_severity_is_its_own(string name)
    {
        var descriptor = (DiagnosticDescriptor)typeof(DiagnosticDescriptors).GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        string page = Path.Combine(DiagnosticsDirectory(), descriptor.Id + ".md");

        Assert.True(File.Exists(page), $"{descriptor.Id} has no page: add docs/diagnostics/{descriptor.Id}.md.");
        string[] lines = File.ReadAllLines(page);
        Assert.Equal($"# {descriptor.Id}: {descriptor.Title}", lines[0]);
        string severity = descriptor.DefaultSeverity == DiagnosticSeverity.Error ? "error" : "warning";
        string reporter = descriptor.DefaultSeverity == DiagnosticSeverity.Error ? "the generator" : "the analyzers";
        Assert.StartsWith($"**Severity:** {severity} · **Reported by:** {reporter}", lines.First(l => l.StartsWith("**Severity:**", StringComparison.Ordinal)));
        Assert.Equal(DiagnosticDescriptors.HelpLinkBase + descriptor.Id + ".md", descriptor.HelpLinkUri);
        Assert.True(descriptor.IsEnabledByDefault, $"{descriptor.Id} is off by default.");
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Category));
        Assert.Contains("{0}", descriptor.MessageFormat.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void Each_diagnostic_is_in_both_release_files_under_its_title(string name)
    {
        var descriptor = (DiagnosticDescriptor)typeof(DiagnosticDescriptors).GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        string row = $"{descriptor.Id} | {descriptor.Category} | {descriptor.DefaultSeverity} | {descriptor.Title}";

        foreach (string project in new[] { "Resilience.Generators", "Resilience.Analyzers" })
        {
            string[] lines = File.ReadAllLines(Path.Combine(Snapshot.ProjectDirectory(), "..", "..", "src", project, "AnalyzerReleases.Unshipped.md"));
            Assert.Contains(row, lines);
        }
    }

    [Fact]
    public void Every_page_is_of_a_diagnostic_and_every_id_is_used_once()
    {
        string[] ids = Fields().Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id).ToArray();
        string[] pages = Directory.GetFiles(DiagnosticsDirectory(), "RES*.md").Select(Path.GetFileNameWithoutExtension).ToArray()!;

        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(pages.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
    }

    private static IEnumerable<FieldInfo> Fields()
        => typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(DiagnosticDescriptor));

    private static string DiagnosticsDirectory() => Path.Combine(Snapshot.ProjectDirectory(), "..", "..", "docs", "diagnostics");
}
