using System.Collections.Generic;
using System.Globalization;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>
/// Finds methods that share a policy name (one breaker, bulkhead, rate limit or retry budget) with different settings (RES0006):
/// a shared state is created once, so one of them would silently run with the other's settings.
/// </summary>
internal static class SharedNames
{
    /// <summary>The "RateLimitKey" entry compared beside a rate limit's settings: one name cannot be kept both per key and not, or per keys of two types.</summary>
    private const string RateLimitKey = "RateLimitKey";

    /// <summary>The "CircuitBreakerKey" entry compared beside a breaker's settings, for the same reason.</summary>
    private const string CircuitBreakerKey = "CircuitBreakerKey";

    public static IEnumerable<Conflict> Conflicts(EquatableArray<MethodResult> all)
    {
        foreach (Conflict conflict in Find(all, "circuit breaker", static m => m.CircuitBreaker is { } b ? (b.Name, Describe(b.Settings, new KeyValuePair<string, string>(CircuitBreakerKey, b.Key?.Type ?? "none"))) : null))
        {
            yield return conflict;
        }

        foreach (Conflict conflict in Find(all, "bulkhead", static m => m.Bulkhead is { } b ? (b.Name, Describe(b.Settings)) : null))
        {
            yield return conflict;
        }

        foreach (Conflict conflict in Find(all, "retry budget", static m => m.Retry is { HasBudget: true } r ? (m.TelemetryPolicy, Describe(r.BudgetSettings)) : null))
        {
            yield return conflict;
        }

        foreach (Conflict conflict in Find(all, "rate limit", static m => m.RateLimit is { } r ? (r.Name, Describe(r.Settings, new KeyValuePair<string, string>(RateLimitKey, r.Key?.Type ?? "none"))) : null))
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

            var differences = new List<string>();
            for (int i = 0; i < policy.Settings.Length; i++)
            {
                if (policy.Settings[i].Value != earlier.Settings[i].Value)
                {
                    differences.Add($"{policy.Settings[i].Key} {earlier.Settings[i].Value} and {policy.Settings[i].Value}");
                }
            }

            if (differences.Count == 0)
            {
                continue;
            }

            DiagnosticInfo diagnostic = DiagnosticInfo.Create(
                DiagnosticDescriptors.ConflictingSharedName, result.Location, kind, policy.Name, earlier.Method.Method!.PolicyName, method.PolicyName, string.Join(", ", differences));
            yield return new Conflict(result, diagnostic);
        }
    }

    /// <summary>Each setting's name and value as the message shows them, followed by <paramref name="extra"/>.</summary>
    private static KeyValuePair<string, string>[] Describe(IReadOnlyList<SettingValue> settings, params KeyValuePair<string, string>[] extra)
    {
        var described = new KeyValuePair<string, string>[settings.Count + extra.Length];
        for (int i = 0; i < settings.Count; i++)
        {
            described[i] = new KeyValuePair<string, string>(settings[i].Rule.Name, Text(settings[i].Value));
        }

        extra.CopyTo(described, settings.Count);
        return described;
    }

    private static string Text(object value) => value switch
    {
        int number => number.ToString(CultureInfo.InvariantCulture),
        double ratio => SettingText.Number(ratio),
        _ => value.ToString()!,
    };

    /// <summary>A method whose shared policy conflicts with an earlier method's, and the error its stub throws.</summary>
    internal sealed record Conflict(MethodResult Method, DiagnosticInfo Diagnostic)
    {
        public string Message => Diagnostic.IdAndMessage;
    }
}
