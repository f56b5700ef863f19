using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>
/// RES0107: [Hedging] on a method without a CancellationToken parameter. The attempts that lose the race are
/// cancelled through their token; without one they run to the end and keep loading the dependency.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HedgingCancellationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.HedgingWithoutCancellationToken);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypeSymbols.For(start.Compilation) is not { HedgingAttribute.Exists: true, CancellationToken.Exists: true } types)
            {
                return;
            }

            start.RegisterResilientMethodAction(types, Analyze);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, ResilientMethod method)
    {
        if (method is { Hedging: { } hedging, CancellationTokenParameter: null })
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HedgingWithoutCancellationToken, hedging.Location, method.Symbol.Name));
        }
    }
}
