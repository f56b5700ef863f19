using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>
/// RES0104: a circuit breaker that cannot see what it should. In ratio mode, a SamplingDurationMs shorter than
/// twice the per-attempt timeout; or a BreakDurationMs shorter than the retry's first delay (the retry always wraps
/// the breaker: Fallback → RateLimit → Timeout(Total) → Retry → CircuitBreaker → Bulkhead → Timeout(PerAttempt)).
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
            if (KnownTypes.From(start.Compilation) is { CircuitBreaker: not null } types)
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

        double ratio = breaker.Double("FailureRatio", 0);
        int sampling = breaker.Int("SamplingDurationMs", 30_000);
        if (ratio > 0 && ratio <= 1 && sampling >= 1
            && method.Timeout is { } timeout && timeout.Int("Scope", 0) == 0 && timeout.Int("Milliseconds", 0) is var perAttempt && perAttempt >= 1
            && sampling < 2L * perAttempt)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.BlindCircuitBreaker,
                breaker.LocationOf("SamplingDurationMs"),
                new[] { timeout.LocationOf("Milliseconds") },
                "SamplingDurationMs",
                Numbers.Format(sampling),
                "twice the per-attempt timeout",
                Numbers.Format(2L * perAttempt),
                $"a call that times out takes {Numbers.Format(perAttempt)} ms before it counts as a failure, so the window holds too few of them to judge the failure ratio"));
        }

        int breakDuration = breaker.Int("BreakDurationMs", 30_000);
        if (breakDuration >= 1
            && method.Retry is { } retry && RetrySettings.From(retry) is { MaxAttempts: > 1 } settings
            && breakDuration < settings.LongestDelayMs(1))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.BlindCircuitBreaker,
                breaker.LocationOf("BreakDurationMs"),
                new[] { retry.LocationOf("DelayMs") },
                "BreakDurationMs",
                Numbers.Format(breakDuration),
                "the retry's first delay",
                Numbers.Format(settings.LongestDelayMs(1)),
                "the breaker is half-open again by the time the next attempt comes, so every retry goes through as a probe and the break never holds a retrying call back"));
        }
    }
}
