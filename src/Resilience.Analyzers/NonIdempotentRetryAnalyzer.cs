using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generators;
using Resilience.Shared;

namespace Resilience.Analyzers;

/// <summary>
/// RES0100: [Retry] or [Hedging] on an operation whose name says it changes state (Create, Send, Charge, ...), or
/// whose <c>{Name}Core</c> sends an HTTP POST or PATCH, without [Idempotent]. Both run the operation more than once;
/// the warning is on [Retry] when the method has both.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NonIdempotentRetryAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.NonIdempotentRetry);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypeSymbols.For(start.Compilation) is not { RetryAttribute.Exists: true } types)
            {
                return;
            }

            start.RegisterResilientMethodAction(types, AnalyzeName);
            if (types.HttpClient is not null)
            {
                start.RegisterSymbolStartAction(type => AnalyzeHttpCalls(type, types), SymbolKind.NamedType);
            }
        });
    }

    /// <summary>The methods the rule is about: [Retry] that retries, or [Hedging], and no [Idempotent].</summary>
    private static bool IsRetried(ResilientMethod method) => Repeater(method) is not null;

    /// <summary>The attribute that runs the operation again, with how the message says it: [Retry] first, else [Hedging]; null when none does or the method is [Idempotent].</summary>
    private static (AttributeReader Attribute, string Done, string Name)? Repeater(ResilientMethod method)
    {
        if (method.IsIdempotent)
        {
            return null;
        }

        if (method.Retry is { } retry && retry.Read(RetryRules.MaxAttempts) > 1)
        {
            return (retry, "retried", "[Retry]");
        }

        return method.Hedging is { } hedging ? (hedging, "hedged", "[Hedging]") : null;
    }

    private static void AnalyzeName(SymbolAnalysisContext context, ResilientMethod method)
    {
        if (!IsRetried(method) || OperationName.ChangingVerb(method.Symbol.Name) is not { } verb)
        {
            return;
        }

        (AttributeReader attribute, string done, string name) = Repeater(method)!.Value;
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.NonIdempotentRetry,
            attribute.Location,
            method.Symbol.Name,
            $"its name says it changes state ('{verb}')",
            done,
            name));
    }

    /// <summary>
    /// Retried methods whose name says nothing either way: does their {Name}Core send a POST or PATCH?
    /// The bodies are read as operations, in the type's own analysis, and judged when the type is done.
    /// </summary>
    private static void AnalyzeHttpCalls(SymbolStartAnalysisContext context, KnownTypeSymbols types)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        List<ResilientMethod>? candidates = null;
        foreach (IMethodSymbol member in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (ResilientMethod.From(member, types, context.CancellationToken) is { } method
                && IsRetried(method)
                && OperationName.ChangingVerb(member.Name) is null
                && !OperationName.IsRead(member.Name))
            {
                (candidates ??= new List<ResilientMethod>()).Add(method);
            }
        }

        if (candidates is null)
        {
            return;
        }

        var calls = new ConcurrentDictionary<IMethodSymbol, UnsafeHttpCall>(SymbolEqualityComparer.Default);
        context.RegisterOperationBlockAction(block =>
        {
            if (block.OwningSymbol is IMethodSymbol owner
                && candidates.Any(c => c.IsCore(owner))
                && HttpRequests.FindUnsafeCall(block.OperationBlocks, types) is { } call)
            {
                calls[owner] = call;
            }
        });

        context.RegisterSymbolEndAction(end =>
        {
            foreach (ResilientMethod method in candidates)
            {
                foreach (KeyValuePair<IMethodSymbol, UnsafeHttpCall> pair in calls)
                {
                    if (method.IsCore(pair.Key))
                    {
                        (AttributeReader attribute, string done, string name) = Repeater(method)!.Value;
                        end.ReportDiagnostic(Diagnostic.Create(
                            DiagnosticDescriptors.NonIdempotentRetry,
                            attribute.Location,
                            new[] { pair.Value.Location },
                            method.Symbol.Name,
                            $"'{method.CoreName}' sends an HTTP {pair.Value.Verb} ({pair.Value.Call})",
                            done,
                            name));
                        break;
                    }
                }
            }
        });
    }
}
