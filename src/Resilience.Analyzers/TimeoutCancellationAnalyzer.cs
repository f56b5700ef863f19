using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>
/// RES0101: [Timeout] on a method without a CancellationToken parameter. RES0105: [Timeout] whose
/// <c>{Name}Core</c> never uses the token it is given, although it awaits or calls something cancellable.
/// Either way the timeout is cooperative and cannot stop the work.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TimeoutCancellationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.TimeoutWithoutCancellationToken, DiagnosticDescriptors.TimeoutTokenNotUsed);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypeSymbols.For(start.Compilation) is not { RetryAttribute.Exists: true, TimeoutAttribute.Exists: true, CancellationToken.Exists: true } types)
            {
                return;
            }

            start.RegisterResilientMethodAction(types, AnalyzeSignature);
            start.RegisterSymbolStartAction(type => AnalyzeCores(type, types), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeSignature(SymbolAnalysisContext context, ResilientMethod method)
    {
        if (method is { Timeout: { } timeout, CancellationTokenParameter: null })
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.TimeoutWithoutCancellationToken, timeout.Location, method.Symbol.Name));
        }
    }

    private static void AnalyzeCores(SymbolStartAnalysisContext context, KnownTypeSymbols types)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        List<ResilientMethod>? candidates = null;
        foreach (IMethodSymbol member in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (ResilientMethod.From(member, types, context.CancellationToken) is { Timeout: not null, CancellationTokenParameter: not null } method)
            {
                (candidates ??= new List<ResilientMethod>()).Add(method);
            }
        }

        if (candidates is null)
        {
            return;
        }

        var ignoring = new ConcurrentDictionary<IMethodSymbol, IParameterSymbol>(SymbolEqualityComparer.Default);
        context.RegisterOperationBlockAction(block =>
        {
            if (block.OwningSymbol is not IMethodSymbol owner || candidates.FirstOrDefault(c => c.IsCore(owner)) is not { } method)
            {
                return;
            }

            IParameterSymbol token = owner.Parameters[method.CancellationTokenParameter!.Ordinal];
            if (CancellationUse.IgnoresToken(block.OperationBlocks, token, types))
            {
                ignoring[owner] = token;
            }
        });

        context.RegisterSymbolEndAction(end =>
        {
            foreach (ResilientMethod method in candidates)
            {
                foreach (KeyValuePair<IMethodSymbol, IParameterSymbol> pair in ignoring)
                {
                    if (method.IsCore(pair.Key) && pair.Value.Locations.FirstOrDefault() is { } location)
                    {
                        end.ReportDiagnostic(Diagnostic.Create(
                            DiagnosticDescriptors.TimeoutTokenNotUsed,
                            location,
                            new[] { method.Timeout!.Location },
                            method.Symbol.Name,
                            method.CoreName,
                            pair.Value.Name));
                        break;
                    }
                }
            }
        });
    }
}
