using Microsoft.Extensions.DependencyInjection;
using Resilience.AspNetCore.Tests.App;

namespace Resilience.AspNetCore.Tests;

/// <summary>
/// Starts the test application for each test, on a reset <see cref="ResilienceRegistry.Default"/> whose clock is
/// <see cref="Clock"/> (the application's too), and stops it and resets the registry afterwards. Each derived class
/// says on which server.
/// </summary>
public abstract class AppTest : IAsyncLifetime
{
    /// <summary>How long a test waits for something that should happen at once before it fails instead of hanging.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    private RunningApp? _app;

    /// <summary>The clock of the policies and of the application.</summary>
    protected TestClock Clock { get; } = new();

    /// <summary>A client of the running application.</summary>
    protected HttpClient Client => App.Client;

    /// <summary>The application's resilient methods.</summary>
    protected Catalog Catalog => App.Services.GetRequiredService<Catalog>();

    /// <summary>The gate of <c>/api/mix/{kind}</c>.</summary>
    protected ArrivalGate Gate => App.Services.GetRequiredService<ArrivalGate>();

    /// <summary>The registry generated code uses.</summary>
    protected static ResilienceRegistry Registry => ResilienceRegistry.Default;

    private RunningApp App => _app ?? throw new InvalidOperationException("The application is not started.");

    /// <summary>Starts the application.</summary>
    protected abstract Task<RunningApp> StartAsync(TestClock clock);

    public async Task InitializeAsync()
    {
        Registry.Reset();
        Registry.TimeProvider = Clock;
        _app = await StartAsync(Clock);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            Catalog.ReleaseReports();
            await _app.DisposeAsync();
        }

        Registry.Reset();
    }

    /// <summary>Waits until a timer has been armed to fire after <paramref name="dueTime"/> on <see cref="Clock"/>: a timeout has started on the server.</summary>
    protected void WaitForTimer(TimeSpan dueTime)
        => Assert.True(
            SpinWait.SpinUntil(() => Clock.TimersArmed(dueTime) >= 1, HangGuard),
            $"Timed out waiting until a timer was armed for {dueTime} on the fake clock.");
}
