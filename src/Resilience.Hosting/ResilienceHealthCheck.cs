using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.Hosting;

/// <summary>
/// Healthy while every circuit breaker is closed; degraded while some are open, half-open or isolated; the
/// registration's failure status while a critical one is open or isolated. The data lists every breaker. A breaker
/// kept per key counts as open while any of its partitions is; its entry counts the partitions by state and names
/// those that are not closed, up to <see cref="KeyedCircuitBreakerState.MaxReportedPartitions"/> (the first by key),
/// as the description does, which then says how many more are not closed.
/// </summary>
internal sealed class ResilienceHealthCheck : IHealthCheck
{
    private readonly ResilienceRegistry _registry;
    private readonly HashSet<string> _critical;

    public ResilienceHealthCheck(ResilienceRegistry registry, IEnumerable<string> criticalBreakers)
    {
        _registry = registry;
        _critical = new HashSet<string>(criticalBreakers, StringComparer.Ordinal);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<CircuitBreakerState> breakers = _registry.CircuitBreakers;
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var criticalDown = new List<string>();
        var notClosed = new List<string>();
        foreach (CircuitBreakerState breaker in breakers)
        {
            CircuitBreakerMetrics metrics = breaker.GetMetrics();
            bool critical = _critical.Contains(breaker.Name);
            data[breaker.Name] = Describe(metrics, critical);
            if (metrics.State == CircuitState.Closed)
            {
                continue;
            }

            notClosed.Add($"'{breaker.Name}' is {Name(metrics.State)}");
            if (critical && metrics.State is CircuitState.Open or CircuitState.Isolated)
            {
                criticalDown.Add(breaker.Name);
            }
        }

        IReadOnlyList<KeyedCircuitBreakerState> keyedBreakers = _registry.KeyedCircuitBreakers;
        foreach (KeyedCircuitBreakerState keyed in keyedBreakers)
        {
            bool critical = _critical.Contains(keyed.Name);
            IReadOnlyDictionary<CircuitState, int> counts = keyed.CountByState();
            IReadOnlyList<CircuitBreakerState> notClosedPartitions = keyed.NotClosedPartitions();
            data[keyed.Name] = Describe(counts, notClosedPartitions, critical);
            foreach (CircuitBreakerState partition in notClosedPartitions)
            {
                notClosed.Add($"'{keyed.Name}' for '{partition.Key}' is {Name(partition.State)}");
            }

            // Only the first partitions are named, so that a large key space cannot flood the report; the counts cover
            // them all, and decide whether a critical breaker is down.
            int unnamed = counts[CircuitState.Open] + counts[CircuitState.HalfOpen] + counts[CircuitState.Isolated] - notClosedPartitions.Count;
            if (unnamed > 0)
            {
                notClosed.Add($"{unnamed.ToString(CultureInfo.InvariantCulture)} more partition(s) of '{keyed.Name}' are not closed");
            }

            if (critical && counts[CircuitState.Open] + counts[CircuitState.Isolated] > 0)
            {
                criticalDown.Add(keyed.Name);
            }
        }

        var missing = _critical.Where(name => !breakers.Any(b => b.Name == name) && !keyedBreakers.Any(b => b.Name == name)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        string missingNote = missing.Count == 0
            ? string.Empty
            : $" No circuit breaker is registered as {string.Join(", ", missing.Select(n => "'" + n + "'"))}, which the check names as critical; check the names.";

        HealthCheckResult result;
        if (criticalDown.Count > 0)
        {
            HealthStatus status = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
            result = new HealthCheckResult(status, $"Critical circuit breakers are open: {string.Join(", ", criticalDown.Select(n => "'" + n + "'"))}. {string.Join("; ", notClosed)}.{missingNote}", data: data);
        }
        else if (notClosed.Count > 0 || missing.Count > 0)
        {
            string description = notClosed.Count > 0 ? $"Some circuit breakers are not closed: {string.Join("; ", notClosed)}." : "All circuit breakers are closed.";
            result = HealthCheckResult.Degraded(description + missingNote, data: data);
        }
        else
        {
            result = HealthCheckResult.Healthy($"All {(breakers.Count + keyedBreakers.Count).ToString(CultureInfo.InvariantCulture)} circuit breakers are closed.", data);
        }

        return Task.FromResult(result);
    }

    private static Dictionary<string, object> Describe(CircuitBreakerMetrics metrics, bool critical)
    {
        var entry = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["state"] = Name(metrics.State),
            ["critical"] = critical,
            ["calls"] = metrics.Calls,
            ["successes"] = metrics.Successes,
            ["failures"] = metrics.Failures,
            ["rejections"] = metrics.Rejections,
            ["consecutiveFailures"] = metrics.ConsecutiveFailures,
            ["recentFailures"] = metrics.RecentFailures,
            ["errorRate"] = metrics.RecentErrorRate,
            ["timeInState"] = metrics.TimeInState,
        };
        if (metrics.LastFailureTime is { } lastFailure)
        {
            entry["lastFailureTime"] = lastFailure;
        }

        return entry;
    }

    private static Dictionary<string, object> Describe(IReadOnlyDictionary<CircuitState, int> counts, IReadOnlyList<CircuitBreakerState> notClosed, bool critical)
    {
        var partitions = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (KeyValuePair<CircuitState, int> count in counts)
        {
            partitions[Name(count.Key)] = count.Value;
        }

        var notClosedByKey = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (CircuitBreakerState partition in notClosed)
        {
            notClosedByKey[partition.Key ?? string.Empty] = Name(partition.State);
        }

        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["keyed"] = true,
            ["critical"] = critical,
            ["partitions"] = partitions,
            ["notClosed"] = notClosedByKey,
        };
    }

    private static string Name(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half-open",
        _ => "isolated",
    };
}
