using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generators;
using Resilience.Shared;

namespace Resilience.Analyzers;

/// <summary>
/// RES0102: [Retry] under a [Timeout(Scope = Total)] whose delays alone outlast the timeout, so later attempts
/// can never run. A method has one [Timeout]: with Scope = Total there is no per-attempt timeout, and the time
/// before attempt k is the sum of the k − 1 delays before it, even if every attempt failed at once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RetryBudgetAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.RetryBeyondTotalTimeout);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypeSymbols.For(start.Compilation) is { RetryAttribute.Exists: true, TimeoutAttribute.Exists: true } types)
            {
                start.RegisterResilientMethodAction(types, Analyze);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, ResilientMethod method)
    {
        if (method is not { Retry: { } retry, Timeout: { } timeout }
            || timeout.Read(TimeoutRules.Scope) != TimeoutScope.Total
            || RetrySettings.From(retry) is not { MaxAttempts: > 1 } settings)
        {
            return;
        }

        int total = timeout.Read(TimeoutRules.Milliseconds);
        if (!TimeoutRules.Milliseconds.Allows(total))
        {
            return;
        }

        // Attempt k starts after the delays before it: at the latest after the longest delays, at the earliest
        // after the shortest (half as long with jitter). It can never run when even its earliest start is too late.
        int attempts = settings.MaxAttempts;
        double latest = 0, earliest = 0, longestGap = 0;
        int firstMaybe = 0, firstNever = 0;
        for (int attempt = 2; attempt <= attempts; attempt++)
        {
            double delay = settings.LongestDelayMs(attempt - 1);
            longestGap = Math.Max(longestGap, delay);
            latest += delay;
            earliest += settings.ShortestDelayMs(attempt - 1);
            if (firstMaybe == 0 && latest >= total)
            {
                firstMaybe = attempt;
            }

            if (firstNever == 0 && earliest >= total)
            {
                firstNever = attempt;
            }
        }

        if (firstMaybe == 0)
        {
            return;
        }

        string outcome = firstNever == firstMaybe
            ? Numbers.Attempts(firstNever, attempts) + " can never run"
            : firstNever == 0
                ? Numbers.Attempts(firstMaybe, attempts) + (firstMaybe == attempts ? " runs" : " run") + " only when the jitter draws short delays"
                : Numbers.Attempts(firstMaybe, firstNever - 1) + (firstMaybe == firstNever - 1 ? " runs" : " run") + " only when the jitter draws short delays, and "
                    + Numbers.Attempts(firstNever, attempts) + " can never run";

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.RetryBeyondTotalTimeout,
            retry.LocationOf(RetryRules.MaxAttempts.Name),
            new[] { timeout.LocationOf(TimeoutRules.Milliseconds.Name) },
            Numbers.Format(attempts),
            Numbers.Format(longestGap),
            Numbers.Format(latest),
            Numbers.Format(total),
            outcome));
    }
}
