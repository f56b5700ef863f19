using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generators;
using Resilience.Shared;

namespace Resilience.Analyzers;

/// <summary>
/// RES0104: a circuit breaker that cannot see what it should. In ratio mode, a SamplingDurationMs shorter than
/// twice the per-attempt timeout; or a BreakDurationMs shorter than the retry's first delay (the retry always wraps
/// the breaker: Fallback → CachedFallback → Idempotency → RateLimit → Timeout(Total) → Hedging → Retry → CircuitBreaker → Bulkhead → Timeout(PerAttempt)).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlindCircuitBreakerAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.BlindCircuitBreaker);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypeSymbols.For(start.Compilation) is { RetryAttribute.Exists: true, CircuitBreakerAttribute.Exists: true } types)
            {
                start.RegisterResilientMethodAction(types, Analyze);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, ResilientMethod method)
    {
        if (method is not { CircuitBreaker: { } breaker })
        {
            return;
        }

        double ratio = breaker.Read(CircuitBreakerRules.FailureRatio);
        int sampling = breaker.Read(CircuitBreakerRules.SamplingDurationMs);
        if (CircuitBreakerRules.FailureRatio.IsOn(ratio) && CircuitBreakerRules.SamplingDurationMs.Allows(sampling)
            && method.Timeout is { } timeout && timeout.Read(TimeoutRules.Scope) == TimeoutScope.PerAttempt
            && timeout.Read(TimeoutRules.Milliseconds) is var perAttempt && TimeoutRules.Milliseconds.Allows(perAttempt)
            && sampling < 2L * perAttempt)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.BlindCircuitBreaker,
                breaker.LocationOf(CircuitBreakerRules.SamplingDurationMs.Name),
                new[] { timeout.LocationOf(TimeoutRules.Milliseconds.Name) },
                CircuitBreakerRules.SamplingDurationMs.Name,
                Numbers.Format(sampling),
                "twice the per-attempt timeout",
                Numbers.Format(2L * perAttempt),
                $"a call that times out takes {Numbers.Format(perAttempt)} ms before it counts as a failure, so the window holds too few of them to judge the failure ratio"));
        }

        int breakDuration = breaker.Read(CircuitBreakerRules.BreakDurationMs);
        if (CircuitBreakerRules.BreakDurationMs.Allows(breakDuration)
            && method.Retry is { } retry && RetrySettings.From(retry) is { MaxAttempts: > 1 } settings
            && breakDuration < settings.LongestDelayMs(1))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.BlindCircuitBreaker,
                breaker.LocationOf(CircuitBreakerRules.BreakDurationMs.Name),
                new[] { retry.LocationOf(RetryRules.DelayMs.Name) },
                CircuitBreakerRules.BreakDurationMs.Name,
                Numbers.Format(breakDuration),
                "the retry's first delay",
                Numbers.Format(settings.LongestDelayMs(1)),
                "the breaker is half-open again by the time the next attempt comes, so every retry goes through as a probe and the break never holds a retrying call back"));
        }
    }
}
