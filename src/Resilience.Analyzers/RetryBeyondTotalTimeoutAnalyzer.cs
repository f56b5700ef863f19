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
public sealed class RetryBeyondTotalTimeoutAnalyzer : DiagnosticAnalyzer
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

        // int.MaxValue attempts under a total timeout is how "retry until the deadline" is written: later attempts
        // not running is the point, not a mistake.
        if (settings.MaxAttempts == int.MaxValue)
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
        // The delays grow until they reach their cap and stay there. The walk stops at the first two equal ones, and
        // the rest is counted, or as soon as both attempts are known, and the rest of the delays is summed: linear
        // delays may grow for billions of retries, but their sum passes any timeout (under 2^31 ms) within some
        // 93 000 of them. So no count of attempts (int.MaxValue means "until the deadline") or of growing delays
        // makes the analysis long.
        int attempts = settings.MaxAttempts;
        long latest = 0;
        double earliest = 0, longestGap = 0;
        long firstMaybe = 0, firstNever = 0;
        double previousLongest = double.NaN; // equal to no delay
        for (int attempt = 2; attempt <= attempts; attempt++)
        {
            // An attempt that can never run can start no earlier than the last that may, so both are known.
            if (firstNever != 0)
            {
                latest += settings.LongestDelaysMs(attempt - 1, attempts - 1);
                longestGap = settings.LongestDelayMs(attempts - 1); // the delays never shrink
                break;
            }

            double delay = settings.LongestDelayMs(attempt - 1);
            double shortest = settings.ShortestDelayMs(attempt - 1);
            // The shortest delay is a function of the longest, so equal longest delays have equal shortest ones too.
            if (delay == previousLongest)
            {
                long remaining = (long)attempts - attempt + 1;
                firstMaybe = firstMaybe != 0 ? firstMaybe : FirstReaching(total, latest, delay, attempt, remaining);
                firstNever = firstNever != 0 ? firstNever : FirstReaching(total, earliest, shortest, attempt, remaining);
                latest += (long)delay * remaining;
                break;
            }

            previousLongest = delay;
            longestGap = Math.Max(longestGap, delay);
            latest += (long)delay;
            earliest += shortest;
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

        int maybe = (int)firstMaybe, never = (int)firstNever;
        string outcome = never == maybe
            ? Numbers.Attempts(never, attempts) + " can never run"
            : never == 0
                ? Numbers.Attempts(maybe, attempts) + (maybe == attempts ? " runs" : " run") + " only when the jitter draws short delays"
                : Numbers.Attempts(maybe, never - 1) + (maybe == never - 1 ? " runs" : " run") + " only when the jitter draws short delays, and "
                    + Numbers.Attempts(never, attempts) + " can never run";

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

    /// <summary>
    /// The first of <paramref name="remaining"/> attempts from <paramref name="attempt"/> on, each <paramref name="delay"/>
    /// after the one before, to start no earlier than <paramref name="total"/> when <paramref name="sum"/> has passed
    /// before <paramref name="attempt"/>'s delay; 0 when none does.
    /// </summary>
    private static long FirstReaching(int total, double sum, double delay, int attempt, long remaining)
    {
        // The j-th of them (from 0) starts after sum + (j + 1) * delay. The sum is under the total here (an attempt
        // reaching it would have been found while walking), so steps is 0 or more, and infinite when the delay is 0:
        // compared before it is converted, as a conversion of infinity differs between runtimes.
        double steps = Math.Ceiling((total - sum) / delay) - 1;
        return steps < remaining ? attempt + (long)steps : 0;
    }
}
