using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.Samples.WebApi.Health;

/// <summary>
/// Unhealthy from the moment the application starts to stop, so that readiness answers 503 before the server
/// stops taking requests: from <see cref="IHostApplicationLifetime.ApplicationStopping"/>, or from
/// <see cref="MarkStopping"/>, whichever comes first.
/// </summary>
/// <remarks>
/// On Ctrl+C or SIGTERM the host fires <c>ApplicationStopping</c> first and then stops its services. When the host
/// is stopped directly (<c>IHost.StopAsync</c>), it fires it only after the lifecycle services' <c>StoppingAsync</c>,
/// where <see cref="ReadinessDrainService"/> waits; it marks the shutdown here before it waits.
/// </remarks>
public sealed class ShutdownHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    private volatile bool _stopping;

    /// <summary>True once the application has started to stop.</summary>
    public bool IsStopping => _stopping || lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>Reports the application as stopping from now on.</summary>
    public void MarkStopping() => _stopping = true;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(IsStopping
            ? new HealthCheckResult(context.Registration.FailureStatus, "The application is shutting down.")
            : HealthCheckResult.Healthy("The application is running."));
}
