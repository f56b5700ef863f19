using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>Runs an analysis for each resilient method, reached through its containing type.</summary>
/// <remarks>
/// Not through a symbol action on the method: the compiler merges the attributes of both parts of a partial
/// method, so an implementing part marked <c>[GeneratedCode]</c> (this generator no longer marks it, but another
/// generator or an older version may) makes the user's method count as generated code, which analyzers that skip
/// generated code never see. The type, whose own declarations are the user's, is analyzed instead.
/// </remarks>
internal static class ResilientMethodActions
{
    public static void RegisterResilientMethodAction(this CompilationStartAnalysisContext start, KnownTypeSymbols types, Action<SymbolAnalysisContext, ResilientMethod> action)
        => start.RegisterSymbolAction(
            context =>
            {
                foreach (ISymbol member in ((INamedTypeSymbol)context.Symbol).GetMembers())
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    if (member is IMethodSymbol method && ResilientMethod.From(method, types, context.CancellationToken) is { } resilient)
                    {
                        action(context, resilient);
                    }
                }
            },
            SymbolKind.NamedType);
}
