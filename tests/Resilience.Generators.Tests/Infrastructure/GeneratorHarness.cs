using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Resilience.Generators.Tests.Infrastructure;

/// <summary>Runs the generator on source text in memory and compiles the result.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return paths
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(ResilienceRegistry).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    /// <summary>The framework's assemblies and the runtime's, as a consumer project references them.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.CSharp12);

    /// <summary>
    /// A library with nullable annotations on, warning as the strictest project's build warns: every warning wave on
    /// (a project's <c>AnalysisLevel</c> or <c>WarningLevel</c> turns them on, and generated code must not warn under
    /// any of them), and the .NET SDK's suppression of CS1701 and CS1702 in every project (the runtime's net8.0 build
    /// names System.Net.Http 8.0, which a build unifies with the newer one it runs on, here the test host's).
    /// </summary>
    public static CSharpCompilationOptions CompilationOptions { get; } = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999)
        .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress });

    public static CSharpCompilation Compilation(params string[] sources)
        => CSharpCompilation.Create(
            "Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            s_references.Value,
            CompilationOptions);

    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            new[] { new ResilienceGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once on <paramref name="sources"/>.</summary>
    public static GeneratorOutcome Run(params string[] sources)
    {
        CSharpCompilation compilation = Compilation(sources);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorOutcome(driver.GetRunResult(), output, diagnostics);
    }
}

/// <summary>What one generator run produced.</summary>
internal sealed record GeneratorOutcome(GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    /// <summary>The generated files, by hint name, in order.</summary>
    public IReadOnlyList<(string HintName, string Text)> Sources
        => Result.Results.SelectMany(r => r.GeneratedSources)
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .Select(s => (s.HintName, s.SourceText.ToString()))
            .ToArray();

    /// <summary>Every diagnostic of the generator and of the compiled output, warnings included, hidden ones left out.</summary>
    public IReadOnlyList<Diagnostic> AllDiagnostics
        => GeneratorDiagnostics.Concat(Output.GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToArray();

    /// <summary>
    /// What the generator adds to a build: its own diagnostics, every error, and the warnings located in a generated
    /// file; not the warnings of the test's own source (a lower-case type name, under the highest warning level).
    /// </summary>
    public IReadOnlyList<Diagnostic> GeneratedCodeDiagnostics
        => AllDiagnostics
            .Where(d => GeneratorDiagnostics.Contains(d) || d.Severity == DiagnosticSeverity.Error || IsGenerated(d.Location.SourceTree))
            .ToArray();

    /// <summary>True when <paramref name="tree"/> is one of the generated files.</summary>
    public bool IsGenerated(SyntaxTree? tree) => tree is not null && Result.GeneratedTrees.Contains(tree);
}
