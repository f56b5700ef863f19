using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>
/// RES0106: a setting written on a policy attribute that the policy never reads under the rest of its settings:
/// [Retry(1)], FailureThreshold in ratio mode, MinimumThroughput or SamplingDurationMs in consecutive mode,
/// MaxWaitMs of a bulkhead without a queue, and a rejection exception in a Retry's or CircuitBreaker's Handle.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class IneffectiveSettingAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.IneffectiveSetting);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.From(start.Compilation) is { } types)
            {
                var kinds = new ExceptionKinds(start.Compilation, types);
                start.RegisterResilientMethodAction(types, (context, method) => Analyze(context, method, kinds));
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, ResilientMethod method, ExceptionKinds kinds)
    {
        if (method.Retry is { } retry)
        {
            if (retry.IsWritten("MaxAttempts") && retry.Int("MaxAttempts", 3) == 1)
            {
                Report(context, retry.LocationOf("MaxAttempts"), Fixes.None, "[Retry] with MaxAttempts 1", "the first attempt is the only one, so nothing is retried", "allow at least 2 attempts, or remove [Retry]");
            }

            RejectionsInHandle(context, kinds, retry, "a rejection by the circuit breaker, bulkhead or rate limit is never retried");
        }

        if (method.CircuitBreaker is { } breaker)
        {
            double ratio = breaker.Double("FailureRatio", 0);
            if (ratio > 0 && ratio <= 1)
            {
                WrittenButIgnored(context, breaker, "FailureThreshold", 5, $"FailureRatio is {Numbers.Ratio(ratio)}, so the breaker opens on the failure ratio, not on consecutive failures", "remove it");
            }
            else if (ratio == 0)
            {
                const string ConsecutiveMode = "FailureRatio is 0, so the breaker opens on consecutive failures and measures no ratio";
                const string Advice = "remove it, or set FailureRatio to open on a ratio";
                WrittenButIgnored(context, breaker, "MinimumThroughput", 10, ConsecutiveMode, Advice);
                WrittenButIgnored(context, breaker, "SamplingDurationMs", 30_000, ConsecutiveMode, Advice);
            }

            RejectionsInHandle(context, kinds, breaker, "a rejection by the circuit breaker, bulkhead or rate limit never counts as a failure");
        }

        if (method.Bulkhead is { } bulkhead && bulkhead.Int("MaxQueue", 0) == 0)
        {
            WrittenButIgnored(context, bulkhead, "MaxWaitMs", 0, "MaxQueue is 0, so no call ever waits for a slot", "remove it, or let calls wait with MaxQueue");
        }
    }

    /// <summary>Reports <paramref name="property"/> when it is written with a value other than its default.</summary>
    private static void WrittenButIgnored(SymbolAnalysisContext context, PolicyAttribute attribute, string property, int defaultValue, string why, string advice)
    {
        if (attribute.IsWritten(property) && attribute.Int(property, defaultValue) != defaultValue)
        {
            Report(context, attribute.LocationOf(property), Fixes.Offer(Fixes.RemoveArgument), attribute.Name + "." + property, why, advice);
        }
    }

    private static void RejectionsInHandle(SymbolAnalysisContext context, ExceptionKinds kinds, PolicyAttribute attribute, string why)
    {
        IReadOnlyList<ITypeSymbol?> handle = attribute.Types("Handle");
        for (int i = 0; i < handle.Count; i++)
        {
            if (handle[i] is { } type && kinds.IsRejection(type))
            {
                ImmutableDictionary<string, string?> fix = kinds.OthersRemain(handle, i) && attribute.Elements("Handle") is not null ? Fixes.Offer(Fixes.RemoveEntry) : Fixes.None;
                Report(context, attribute.LocationOf("Handle", i), fix, $"{type.Name} in {attribute.Name}.Handle", why, "remove it");
            }
        }
    }

    private static void Report(SymbolAnalysisContext context, Location location, ImmutableDictionary<string, string?> properties, string setting, string why, string advice)
        => context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.IneffectiveSetting, location, properties, setting, why, advice));
}
