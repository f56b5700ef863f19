using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Resilience.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs an analyzer over a source written with markup (<c>{|#0:text|}</c> marks location 0) and compares every
/// diagnostic it reports, with its span, additional locations and message arguments, to the expected ones.
/// </summary>
/// <remarks>
/// The generator does not run here, so a resilient partial method has no implementing part: that compiler error
/// (CS8795) is left out. Any other compiler error fails the test, so that a source that does not compile cannot
/// pass a "must not fire" test by accident, and a fix that breaks the code is caught.
/// </remarks>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest { TestCode = TestSources.WithUsings(source) };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Runs the analyzer against the .NET 9 reference assemblies instead of .NET 8's, for APIs .NET 9 added.</summary>
    public static Task AnalyzerOnNet90Async(string source, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest { TestCode = TestSources.WithUsings(source) };
        test.TestState.AdditionalReferences.Clear();
        test.TestState.AdditionalReferences.AddRange(TestSources.Net90References);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Runs the analyzer over several files, as (name, source) pairs.</summary>
    public static Task AnalyzerAsync((string Name, string Source)[] sources, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest();
        foreach ((string name, string source) in sources)
        {
            test.TestState.Sources.Add((name, TestSources.WithUsings(source)));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private sealed class AnalyzerTest : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        public AnalyzerTest()
        {
            ReferenceAssemblies = TestSources.ReferenceAssemblies;
            TestState.AdditionalReferences.AddRange(TestSources.References);
            CompilerDiagnostics = CompilerDiagnostics.Errors;
        }

        protected override bool IsCompilerDiagnosticIncluded(Diagnostic diagnostic, CompilerDiagnostics compilerDiagnostics)
            => diagnostic.Id != TestSources.MissingImplementation && base.IsCompilerDiagnosticIncluded(diagnostic, compilerDiagnostics);
    }
}

/// <summary>
/// Runs a code fix: the diagnostics before, the code after one fix, and the code after Fix All (in document,
/// project and solution scope), which is the fixed code too unless <c>batchFixed</c> says otherwise.
/// </summary>
internal static class Verify<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    public static Task CodeFixAsync(string source, DiagnosticResult[] expected, string fixedSource, string equivalenceKey, DiagnosticResult[]? remaining = null)
        => CodeFixAsync(source, expected, fixedSource, fixedSource, equivalenceKey, remaining);

    public static Task CodeFixAsync(string source, DiagnosticResult[] expected, string fixedSource, string batchFixedSource, string equivalenceKey, DiagnosticResult[]? remaining = null)
    {
        var test = new CodeFixTest
        {
            TestCode = TestSources.WithUsings(source),
            FixedCode = TestSources.WithUsings(fixedSource),
            BatchFixedCode = TestSources.WithUsings(batchFixedSource),
            CodeActionEquivalenceKey = equivalenceKey,
        };
        test.ExpectedDiagnostics.AddRange(expected);
        if (remaining is not null)
        {
            test.FixedState.ExpectedDiagnostics.AddRange(remaining);
            test.BatchFixedState.ExpectedDiagnostics.AddRange(remaining);
        }

        return test.RunAsync();
    }

    /// <summary>Asserts that no fix with <paramref name="equivalenceKey"/> is offered for the diagnostics of <paramref name="source"/>.</summary>
    public static Task NoCodeFixAsync(string source, DiagnosticResult[] expected, string equivalenceKey)
    {
        var test = new CodeFixTest
        {
            TestCode = TestSources.WithUsings(source),
            FixedCode = TestSources.WithUsings(source),
            CodeActionEquivalenceKey = equivalenceKey,
        };
        test.ExpectedDiagnostics.AddRange(expected);
        test.FixedState.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>A fix test over several documents, as (name, source, fixed source) triples; <paramref name="usings"/> false leaves them as written.</summary>
    public static Task CodeFixAsync((string Name, string Source, string Fixed)[] documents, DiagnosticResult[] expected, string equivalenceKey, bool usings = true)
    {
        var test = new CodeFixTest { CodeActionEquivalenceKey = equivalenceKey };
        foreach ((string name, string source, string fixedSource) in documents)
        {
            test.TestState.Sources.Add((name, usings ? TestSources.WithUsings(source) : source));
            test.FixedState.Sources.Add((name, usings ? TestSources.WithUsings(fixedSource) : fixedSource));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private sealed class CodeFixTest : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public CodeFixTest()
        {
            ReferenceAssemblies = TestSources.ReferenceAssemblies;
            TestState.AdditionalReferences.AddRange(TestSources.References);
            CompilerDiagnostics = CompilerDiagnostics.Errors;
        }

        protected override bool IsCompilerDiagnosticIncluded(Diagnostic diagnostic, CompilerDiagnostics compilerDiagnostics)
            => diagnostic.Id != TestSources.MissingImplementation && base.IsCompilerDiagnosticIncluded(diagnostic, compilerDiagnostics);
    }
}

/// <summary>Runs every analyzer of the product at once.</summary>
internal static class VerifyAll
{
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
        => AnalyzerAsync(new[] { ("/0/Test0.cs", source) }, expected);

    /// <summary>Runs every analyzer over several files, as (name, source) pairs.</summary>
    public static Task AnalyzerAsync((string Name, string Source)[] sources, params DiagnosticResult[] expected)
    {
        var test = new AllAnalyzersTest();
        foreach ((string name, string source) in sources)
        {
            test.TestState.Sources.Add((name, TestSources.WithUsings(source)));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private sealed class AllAnalyzersTest : CSharpAnalyzerTest<NonIdempotentRetryAnalyzer, DefaultVerifier>
    {
        public AllAnalyzersTest()
        {
            ReferenceAssemblies = TestSources.ReferenceAssemblies;
            TestState.AdditionalReferences.AddRange(TestSources.References);
            CompilerDiagnostics = CompilerDiagnostics.Errors;
        }

        protected override bool IsCompilerDiagnosticIncluded(Diagnostic diagnostic, CompilerDiagnostics compilerDiagnostics)
            => diagnostic.Id != TestSources.MissingImplementation && base.IsCompilerDiagnosticIncluded(diagnostic, compilerDiagnostics);

        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => CatalogueTests.Analyzers;
    }
}
