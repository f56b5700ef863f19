using Microsoft.Extensions.Options;

namespace Resilience.Samples.WebApi.Health;

/// <summary>
/// Holds the server open for <see cref="ShutdownOptions.ReadinessDelayMs"/> once shutdown begins. By then
/// <see cref="ShutdownHealthCheck"/> makes <c>/health/ready</c> answer 503, so load balancers stop sending requests
/// while the server still takes the ones already on their way; then the server stops and lets the requests in
/// flight finish.
/// </summary>
/// <remarks>
/// The host calls every lifecycle service's <see cref="StoppingAsync"/> before it stops any hosted service, the web
/// server included. The delay runs on the application's <see cref="TimeProvider"/>.
/// </remarks>
public sealed partial class ReadinessDrainService(
    ShutdownHealthCheck shutdown, IOptions<ShutdownOptions> options, TimeProvider clock, ILogger<ReadinessDrainService> logger) : IHostedLifecycleService
{
    /// <inheritdoc />
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        shutdown.MarkStopping();
        var delay = TimeSpan.FromMilliseconds(options.Value.ReadinessDelayMs);
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        Draining(logger, delay);
        try
        {
            await Task.Delay(delay, clock, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out: stop now.
        }
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, EventId = 1, EventName = "Draining",
        Message = "Shutting down: /health/ready answers 503 now; the server keeps taking requests for {Delay} so that load balancers stop sending them.")]
    private static partial void Draining(ILogger logger, TimeSpan delay);
}
