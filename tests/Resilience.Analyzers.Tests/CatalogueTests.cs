using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Analyzers.Tests.Infrastructure;
using Resilience.Generators;

namespace Resilience.Analyzers.Tests;

/// <summary>Every warning has an analyzer, a documentation page it links to, a row in the index and in the release files.</summary>
public sealed class CatalogueTests
{
    private static readonly string[] s_warningIds = Descriptors().Where(d => d.DefaultSeverity == DiagnosticSeverity.Warning).Select(d => d.Id).ToArray();

    public static TheoryData<string> WarningIds { get; } = new(s_warningIds);

    internal static DiagnosticAnalyzer[] Analyzers { get; } = typeof(NonIdempotentRetryAnalyzer).Assembly.GetTypes()
        .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToArray();

    [Fact]
    public void The_warnings_are_RES0100_to_RES0107()
        => Assert.Equal(
            new[] { "RES0100", "RES0101", "RES0102", "RES0103", "RES0104", "RES0105", "RES0106", "RES0107" },
            s_warningIds.OrderBy(id => id, StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(WarningIds))]
    public void A_warning_is_reported_by_exactly_one_analyzer(string id)
        => Assert.Single(Analyzers, a => a.SupportedDiagnostics.Any(d => d.Id == id));

    [Theory]
    [MemberData(nameof(WarningIds))]
    public void A_warning_is_in_the_design_category_links_to_its_page_and_is_found_by_id(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors().Single(d => d.Id == id);

        Assert.Equal("Resilience.Design", descriptor.Category);
        Assert.True(descriptor.IsEnabledByDefault);
        Assert.Equal(DiagnosticDescriptors.HelpLinkBase + id + ".md", descriptor.HelpLinkUri);
        Assert.StartsWith("https://github.com/resilience-generators/resilience-generators/blob/main/docs/diagnostics/", descriptor.HelpLinkUri);
    }

    [Fact]
    public void Every_descriptor_has_an_id_of_its_own()
        => Assert.Equal(Descriptors().Count(), Descriptors().Select(d => d.Id).Distinct().Count());

    [Theory]
    [MemberData(nameof(WarningIds))]
    public void A_warning_has_a_page_that_explains_it_shows_a_fix_and_how_to_suppress_it(string id)
    {
        string page = Repository.Read("docs", "diagnostics", id + ".md");

        Assert.StartsWith($"# {id}: ", page);
        Assert.Contains("## What it means", page);
        Assert.Contains("## Why it matters", page);
        Assert.Contains("```csharp", page);
        Assert.Contains("Fixed:", page);
        Assert.Contains($"#pragma warning disable {id}", page);
        Assert.Contains($"dotnet_diagnostic.{id}.severity", page);
        Assert.Contains($"[SuppressMessage(\"Resilience.Design\", \"{id}", page);
    }

    [Theory]
    [MemberData(nameof(WarningIds))]
    public void A_warning_is_in_the_index_and_in_both_release_files(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors().Single(d => d.Id == id);
        string row = $"{id} | Resilience.Design | Warning | {descriptor.Title}";

        Assert.Contains($"[{id}]({id}.md)", Repository.Read("docs", "diagnostics", "README.md"));
        Assert.Contains(row, Repository.Read("src", "Resilience.Analyzers", "AnalyzerReleases.Unshipped.md"));
        Assert.Contains(row, Repository.Read("src", "Resilience.Generators", "AnalyzerReleases.Unshipped.md"));
    }

    [Fact]
    public void Every_analyzer_runs_concurrently_and_skips_generated_code()
    {
        Assert.NotEmpty(Analyzers);
        Assert.All(Analyzers, analyzer =>
        {
            var context = new RecordingContext();
            analyzer.Initialize(context);

            Assert.True(context.Concurrent, analyzer.GetType().Name + " does not enable concurrent execution");
            Assert.Equal(GeneratedCodeAnalysisFlags.None, context.GeneratedCode);
        });
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors()
        => typeof(NonIdempotentRetryAnalyzer).Assembly.GetType("Resilience.Generators.DiagnosticDescriptors")!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);

    /// <summary>An analysis context that records how an analyzer configures itself.</summary>
    private sealed class RecordingContext : AnalysisContext
    {
        public bool Concurrent { get; private set; }

        public GeneratedCodeAnalysisFlags? GeneratedCode { get; private set; }

        public override void EnableConcurrentExecution() => Concurrent = true;

        public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) => GeneratedCode = analysisMode;

        public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action)
        {
        }

        public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action)
        {
        }

        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action)
        {
        }

        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds)
        {
        }

        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action)
        {
        }

        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action)
        {
        }

        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action)
        {
        }

        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds)
        {
        }
    }
}
