using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generators;
using Resilience.Shared;

namespace Resilience.Analyzers;

/// <summary>
/// RES0106: a setting written on a policy attribute that the policy never reads under the rest of its settings:
/// [Retry(1)], FailureThreshold in ratio mode, MinimumThroughput or SamplingDurationMs in consecutive mode without
/// slow calls, SlowCallRatio without SlowCallDurationMs, a SlowCallDurationMs no shorter than the per-attempt timeout
/// (without a bulkhead), MaxWaitMs of a bulkhead without a queue, and a rejection exception in a Retry's or CircuitBreaker's Handle.
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
            if (KnownTypeSymbols.For(start.Compilation) is { RetryAttribute.Exists: true } types)
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
            if (retry.IsWritten(RetryRules.MaxAttempts.Name) && retry.Read(RetryRules.MaxAttempts) == 1)
            {
                Report(context, retry.LocationOf(RetryRules.MaxAttempts.Name), Fixes.None, "[Retry] with MaxAttempts 1", "the first attempt is the only one, so nothing is retried", "allow at least 2 attempts, or remove [Retry]");
            }

            RejectionsInHandle(context, kinds, retry, "a rejection by the circuit breaker, bulkhead or rate limit is never retried");
        }

        if (method.CircuitBreaker is { } breaker)
        {
            double ratio = breaker.Read(CircuitBreakerRules.FailureRatio);
            if (CircuitBreakerRules.FailureRatio.IsOn(ratio))
            {
                WrittenButIgnored(context, breaker, CircuitBreakerRules.FailureThreshold, $"FailureRatio is {Numbers.Ratio(ratio)}, so the breaker opens on the failure ratio, not on consecutive failures", "remove it");
            }
            else if (ratio == 0 && breaker.Read(CircuitBreakerRules.SlowCallDurationMs) == 0)
            {
                // The slow-call rule measures its ratio over the same window, with the same minimum of calls.
                const string ConsecutiveMode = "FailureRatio and SlowCallDurationMs are 0, so the breaker opens on consecutive failures and measures no ratio";
                const string Advice = "remove it, or set FailureRatio (or SlowCallDurationMs) to open on a ratio";
                WrittenButIgnored(context, breaker, CircuitBreakerRules.MinimumThroughput, ConsecutiveMode, Advice);
                WrittenButIgnored(context, breaker, CircuitBreakerRules.SamplingDurationMs, ConsecutiveMode, Advice);
            }

            if (breaker.Read(CircuitBreakerRules.SlowCallDurationMs) == 0 && breaker.IsWritten(CircuitBreakerRules.SlowCallRatio.Name)
                && breaker.Read(CircuitBreakerRules.SlowCallRatio) != CircuitBreakerRules.SlowCallRatio.Default)
            {
                Report(
                    context,
                    breaker.LocationOf(CircuitBreakerRules.SlowCallRatio.Name),
                    Fixes.Offer(Fixes.RemoveArgument),
                    breaker.Name + "." + CircuitBreakerRules.SlowCallRatio.Name,
                    "SlowCallDurationMs is 0, so no call is ever slow",
                    "remove it, or set SlowCallDurationMs to the duration above which a call is slow");
            }

            int slowCallMs = breaker.Read(CircuitBreakerRules.SlowCallDurationMs);
            // Without a bulkhead, whose queue is timed too, an attempt lasts no longer than its timeout. (A slow-call
            // duration of 0, which turns the rule off, is never at or above a timeout, which is at least 1 ms.)
            if (method.Bulkhead is null && method.Timeout is { } timeout && timeout.Read(TimeoutRules.Scope) == TimeoutScope.PerAttempt
                && timeout.Read(TimeoutRules.Milliseconds) is var perAttemptMs && TimeoutRules.Milliseconds.Allows(perAttemptMs) && slowCallMs >= perAttemptMs)
            {
                Report(
                    context,
                    breaker.LocationOf(CircuitBreakerRules.SlowCallDurationMs.Name),
                    Fixes.None,
                    breaker.Name + "." + CircuitBreakerRules.SlowCallDurationMs.Name,
                    $"the per-attempt [Timeout] of {Numbers.Format(perAttemptMs)} ms ends every attempt (as a failure) before it can be slow",
                    "make it shorter than the timeout");
            }

            RejectionsInHandle(context, kinds, breaker, "a rejection by the circuit breaker, bulkhead or rate limit never counts as a failure");
        }

        if (method.Bulkhead is { } bulkhead && bulkhead.Read(BulkheadRules.MaxQueue) == 0)
        {
            WrittenButIgnored(context, bulkhead, BulkheadRules.MaxWaitMs, "MaxQueue is 0, so no call ever waits for a slot", "remove it, or let calls wait with MaxQueue");
        }
    }

    /// <summary>Reports the setting of <paramref name="rule"/> when it is written with a value other than its default.</summary>
    private static void WrittenButIgnored(SymbolAnalysisContext context, AttributeReader attribute, IntSettingRule rule, string why, string advice)
    {
        if (attribute.IsWritten(rule.Name) && attribute.Read(rule) != rule.AttributeDefault)
        {
            Report(context, attribute.LocationOf(rule.Name), Fixes.Offer(Fixes.RemoveArgument), attribute.Name + "." + rule.Name, why, advice);
        }
    }

    private static void RejectionsInHandle(SymbolAnalysisContext context, ExceptionKinds kinds, AttributeReader attribute, string why)
    {
        IReadOnlyList<ITypeSymbol?> handle = attribute.Types(AttributeNames.Properties.Handle);
        for (int i = 0; i < handle.Count; i++)
        {
            if (handle[i] is { } type && kinds.IsRejection(type))
            {
                ImmutableDictionary<string, string?> fix = kinds.OthersRemain(handle, i) && attribute.Elements(AttributeNames.Properties.Handle) is not null ? Fixes.Offer(Fixes.RemoveEntry) : Fixes.None;
                Report(context, attribute.LocationOf(AttributeNames.Properties.Handle, i), fix, $"{type.Name} in {attribute.Name}.Handle", why, "remove it");
            }
        }
    }

    private static void Report(SymbolAnalysisContext context, Location location, ImmutableDictionary<string, string?> properties, string setting, string why, string advice)
        => context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.IneffectiveSetting, location, properties, setting, why, advice));
}
