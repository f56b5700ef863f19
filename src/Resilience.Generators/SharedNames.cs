using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Resilience.Generators;

/// <summary>
/// Finds methods that share a policy name (one breaker, bulkhead or rate limit) with different settings (RES0006):
/// a shared state is created once, so one of them would silently run with the other's settings.
/// </summary>
internal static class SharedNames
{
    public static IEnumerable<Conflict> Conflicts(EquatableArray<MethodResult> all)
    {
        foreach (Conflict conflict in Find(all, "circuit breaker", m => m.CircuitBreaker is { } b ? (b.Name, Settings(b)) : null))
        {
            yield return conflict;
        }

        foreach (Conflict conflict in Find(all, "bulkhead", m => m.Bulkhead is { } b ? (b.Name, Settings(b)) : null))
        {
            yield return conflict;
        }

        foreach (Conflict conflict in Find(all, "rate limit", m => m.RateLimit is { } r ? (r.Name, Settings(r)) : null))
        {
            yield return conflict;
        }
    }

    private static IEnumerable<Conflict> Find(EquatableArray<MethodResult> all, string kind, System.Func<ResilientMethodSpec, (string Name, KeyValuePair<string, string>[] Settings)?> select)
    {
        var first = new Dictionary<string, (MethodResult Method, KeyValuePair<string, string>[] Settings)>();
        foreach (MethodResult result in all)
        {
            if (result.Method is not { Error: null } method || select(method) is not { } policy)
            {
                continue;
            }

            if (!first.TryGetValue(policy.Name, out var earlier))
            {
                first.Add(policy.Name, (result, policy.Settings));
                continue;
            }

            string[] differences = policy.Settings
                .Zip(earlier.Settings, (mine, theirs) => mine.Value == theirs.Value ? null : $"{mine.Key} {theirs.Value} and {mine.Value}")
                .Where(d => d is not null)
                .ToArray()!;
            if (differences.Length == 0)
            {
                continue;
            }

            string[] arguments = { kind, policy.Name, earlier.Method.Method!.PolicyName, method.PolicyName, string.Join(", ", differences) };
            DiagnosticInfo diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.ConflictingSharedName, result.Location, arguments);
            string message = "RES0006: " + string.Format(CultureInfo.InvariantCulture, DiagnosticDescriptors.ConflictingSharedName.MessageFormat.ToString(CultureInfo.InvariantCulture), arguments);
            yield return new Conflict(result, diagnostic, message);
        }
    }

    private static KeyValuePair<string, string>[] Settings(CircuitBreakerSpec b) => new[]
    {
        Pair("FailureThreshold", b.FailureThreshold),
        new KeyValuePair<string, string>("FailureRatio", b.FailureRatio.ToString("R", CultureInfo.InvariantCulture)),
        Pair("MinimumThroughput", b.MinimumThroughput),
        Pair("SamplingDurationMs", b.SamplingDurationMs),
        Pair("BreakDurationMs", b.BreakDurationMs),
        Pair("SuccessThreshold", b.SuccessThreshold),
        Pair("HalfOpenMaxCalls", b.HalfOpenMaxCalls),
    };

    private static KeyValuePair<string, string>[] Settings(BulkheadSpec b) => new[]
    {
        Pair("MaxConcurrency", b.MaxConcurrency),
        Pair("MaxQueue", b.MaxQueue),
        Pair("MaxWaitMs", b.MaxWaitMs),
    };

    private static KeyValuePair<string, string>[] Settings(RateLimitSpec r) => new[]
    {
        Pair("Permits", r.Permits),
        Pair("WindowMs", r.WindowMs),
        Pair("Algorithm", r.Algorithm),
        Pair("QueueLimit", r.QueueLimit),
        new KeyValuePair<string, string>("RateLimitKey", r.KeyType ?? "none"),
    };

    private static KeyValuePair<string, string> Pair(string name, int value) => new(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A method whose shared policy conflicts with an earlier method's.</summary>
    internal sealed record Conflict(MethodResult Method, DiagnosticInfo Diagnostic, string Message);
}
