using System;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Resilience;
using Resilience.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks over the circuit breakers of <see cref="ResilienceRegistry.Default"/>.</summary>
public static class ResilienceHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that is healthy while every circuit breaker is closed, degraded while some are open,
    /// half-open or isolated, and <see cref="ResilienceHealthCheckOptions.FailureStatus"/> (unhealthy) while a
    /// breaker named in <see cref="ResilienceHealthCheckOptions.CriticalBreakers"/> is open or isolated. Its data
    /// lists each breaker with its state and counts.
    /// </summary>
    /// <param name="builder">The health checks builder, from <c>services.AddHealthChecks()</c>.</param>
    /// <param name="configure">Sets the critical breakers, the check's name and its tags.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IHealthChecksBuilder AddResilienceHealthChecks(this IHealthChecksBuilder builder, Action<ResilienceHealthCheckOptions>? configure = null)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        var options = new ResilienceHealthCheckOptions();
        configure?.Invoke(options);
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            throw new ArgumentException("ResilienceHealthCheckOptions.Name is empty; give the check a name (default \"resilience\").", nameof(configure));
        }

        string[] critical = new string[options.CriticalBreakers.Count];
        options.CriticalBreakers.CopyTo(critical, 0);
        return builder.Add(new HealthCheckRegistration(
            options.Name,
            _ => new ResilienceHealthCheck(ResilienceRegistry.Default, critical),
            options.FailureStatus,
            options.Tags));
    }
}
