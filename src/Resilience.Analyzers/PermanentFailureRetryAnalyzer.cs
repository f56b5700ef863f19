using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>
/// RES0103: [Retry] whose Handle names an exception that never heals (ArgumentException, FormatException,
/// NotSupportedException, NullReferenceException, OperationCanceledException, ...), or is Exception itself with no
/// Ignore and no ShouldRetry.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PermanentFailureRetryAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.RetryOfPermanentFailure);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypeSymbols.For(start.Compilation) is { RetryAttribute.Exists: true } types)
            {
                var kinds = new ExceptionKinds(start.Compilation, types);
                start.RegisterResilientMethodAction(types, (context, method) => Analyze(context, method, kinds));
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, ResilientMethod method, ExceptionKinds kinds)
    {
        if (method.Retry is not { } retry)
        {
            return;
        }

        IReadOnlyList<ITypeSymbol?> handle = retry.Types(AttributeNames.Properties.Handle);
        IReadOnlyList<ITypeSymbol?> ignore = retry.Types(AttributeNames.Properties.Ignore);
        for (int i = 0; i < handle.Count; i++)
        {
            ITypeSymbol? type = handle[i];
            (string What, string Advice)? problem = type is null || ExceptionKinds.IsIgnored(type, ignore) ? null : Describe(type, retry, ignore, kinds);
            if (problem is null)
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.RetryOfPermanentFailure,
                retry.LocationOf(AttributeNames.Properties.Handle, i),
                kinds.OthersRemain(handle, i) && retry.Elements(AttributeNames.Properties.Handle) is not null ? Fixes.Offer(Fixes.RemoveEntry) : Fixes.None,
                problem.Value.What,
                problem.Value.Advice));
        }
    }

    /// <summary>What is wrong with retrying <paramref name="type"/> and what to do instead; null when nothing is.</summary>
    private static (string What, string Advice)? Describe(ITypeSymbol type, AttributeReader retry, IReadOnlyList<ITypeSymbol?> ignore, ExceptionKinds kinds)
    {
        if (kinds.PermanentReason(type) is { } reason)
        {
            return (
                $"names {type.Name}, which never heals: {reason}",
                kinds.IsCancellation(type)
                    ? "remove it from Handle (to retry HttpClient's own timeout, name TaskCanceledException)"
                    : "remove it from Handle and fix the cause instead");
        }

        if (kinds.IsException(type) && ignore.Count == 0 && !retry.IsWritten(AttributeNames.Properties.ShouldRetry))
        {
            return (
                "is Exception with no Ignore, so it also retries failures that never heal, such as ArgumentException and NullReferenceException",
                "name the transient exceptions instead, or list the permanent ones in Ignore");
        }

        return null;
    }
}
