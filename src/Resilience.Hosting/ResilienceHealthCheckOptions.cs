using System;
using System.Collections.Generic;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.Hosting;

/// <summary>How <see cref="Microsoft.Extensions.DependencyInjection.ResilienceHealthChecksBuilderExtensions.AddResilienceHealthChecks"/> registers its check.</summary>
public sealed class ResilienceHealthCheckOptions
{
    /// <summary>The check's name in the health report. Default <c>resilience</c>.</summary>
    public string Name { get; set; } = "resilience";

    /// <summary>
    /// The circuit breakers whose opening makes the application unhealthy: the dependencies it cannot serve
    /// without (a database, say, where a cache is not). Names are compared exactly.
    /// </summary>
    public ISet<string> CriticalBreakers { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The tags of the check, for example <c>ready</c> to include it in a readiness probe only.</summary>
    public ISet<string> Tags { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The status reported when a critical breaker is open or isolated. Default <see cref="HealthStatus.Unhealthy"/>.</summary>
    public HealthStatus FailureStatus { get; set; } = HealthStatus.Unhealthy;
}
