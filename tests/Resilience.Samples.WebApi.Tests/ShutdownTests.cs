using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Resilience.Samples.WebApi.Health;

namespace Resilience.Samples.WebApi.Tests;

/// <summary>
/// Shutdown with a readiness delay of 5 s on the application's clock. (With no delay, <c>StopApplication</c> stops
/// the in-memory host at once, as it stops a real one, and there is no moment left to ask for readiness.)
/// </summary>
public sealed class ShutdownTests : WebApiTest
{
    protected override int ReadinessDelayMs => 5_000;

    private IHostApplicationLifetime Lifetime => Factory.Services.GetRequiredService<IHostApplicationLifetime>();

    [Fact]
    public async Task Once_the_application_is_stopping_readiness_is_503_while_liveness_and_the_api_still_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/ready")).StatusCode);
        long armed = Clock.ArmedTimers;

        // Fires ApplicationStopping; the host starts to stop, and waits the delay before it stops the server.
        Lifetime.StopApplication();
        await Clock.WhenArmedMoreThan(armed).WaitAsync(TimeSpan.FromSeconds(10));

        HttpResponseMessage ready = await Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using JsonDocument report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        JsonElement shutdown = report.RootElement.GetProperty("checks").GetProperty("shutdown");
        Assert.Equal("Unhealthy", shutdown.GetProperty("status").GetString());
        Assert.Equal("The application is shutting down.", shutdown.GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/orders/1")).StatusCode);
    }

    [Fact]
    public async Task The_server_stops_only_when_the_delay_is_over_on_the_apps_clock()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = Lifetime.ApplicationStopped.Register(() => stopped.TrySetResult());
        long armed = Clock.ArmedTimers;
        Lifetime.StopApplication();
        await Clock.WhenArmedMoreThan(armed).WaitAsync(TimeSpan.FromSeconds(10));

        Clock.Advance(TimeSpan.FromMilliseconds(ReadinessDelayMs - 1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Client.GetAsync("/health/ready")).StatusCode);
        Assert.False(stopped.Task.IsCompleted);

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Readiness_is_503_from_the_start_of_the_delay_when_the_host_is_stopped_directly()
    {
        // IHost.StopAsync calls the lifecycle services' StoppingAsync before it fires ApplicationStopping.
        ReadinessDrainService drain = Factory.Services.GetServices<IHostedService>().OfType<ReadinessDrainService>().Single();
        long armed = Clock.ArmedTimers;
        Task stopping = drain.StoppingAsync(CancellationToken.None);
        await Clock.WhenArmedMoreThan(armed).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(Lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Client.GetAsync("/health/ready")).StatusCode);

        Clock.Advance(TimeSpan.FromMilliseconds(ReadinessDelayMs));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public override async Task DisposeAsync()
    {
        // Stopping the host waits the delay on the fake clock (again, or for the first time): move the clock past
        // it, and again whenever a timer is armed, until the host has stopped.
        long armed = Clock.ArmedTimers;
        Task disposing = base.DisposeAsync();
        while (!disposing.IsCompleted)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(ReadinessDelayMs));
            await Task.WhenAny(disposing, Clock.WhenArmedMoreThan(armed)).WaitAsync(TimeSpan.FromSeconds(10));
            armed = Clock.ArmedTimers;
        }

        await disposing;
    }
}
