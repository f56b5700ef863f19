using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Resilience.Analyzers;

/// <summary>Runs an analysis for each resilient method, reached through its containing type.</summary>
/// <remarks>
/// Not through a symbol action on the method: the generator's implementing part of a partial method carries
/// <c>[GeneratedCode]</c>, the compiler merges the attributes of both parts, and so treats the method as generated
/// code, which analyzers that skip generated code never see. The type (whose own declarations are the user's) is
/// analyzed; its members are the declaring parts, whose attributes are the user's.
/// </remarks>
internal static class ResilientMethodActions
{
    public static void RegisterResilientMethodAction(this CompilationStartAnalysisContext start, KnownTypes types, Action<SymbolAnalysisContext, ResilientMethod> action)
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
