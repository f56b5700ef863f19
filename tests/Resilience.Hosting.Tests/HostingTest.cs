using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Hosting.Tests;

/// <summary>
/// The base of every test here: it starts from a reset <see cref="ResilienceRegistry.Default"/>, and at the end stops
/// and disposes every host the test built, then resets the registry again (settings, counts, clock).
/// </summary>
public abstract class HostingTest : IAsyncLifetime
{
    /// <summary>How long a test waits for something that should happen at once before it fails instead of hanging.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    private readonly List<IHost> _hosts = new();

    protected HostingTest()
    {
        ResilienceRegistry.Default.Reset();
    }

    /// <summary>The registry generated code uses.</summary>
    protected static ResilienceRegistry Registry => ResilienceRegistry.Default;

    /// <summary>The clock the hosts of this test register as their <see cref="TimeProvider"/>.</summary>
    protected TestClock Clock { get; } = new();

    /// <summary>The dependency whose resilient methods the test calls.</summary>
    protected Dependency Dependency { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IHost host in _hosts)
        {
            try
            {
                await host.StopAsync().WaitAsync(HangGuard);
            }
            catch (ObjectDisposedException)
            {
                // The test disposed it already.
            }

            host.Dispose();
        }

        ResilienceRegistry.Default.Reset();
    }

    /// <summary>Configuration from these keys and values, in memory: set a key and call <see cref="IConfigurationRoot.Reload"/> to reload it.</summary>
    protected static IConfigurationRoot Configuration(params (string Key, string? Value)[] values)
        => new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    /// <summary>
    /// Builds (does not start) a host with fake logging, <see cref="Clock"/> as its <see cref="TimeProvider"/> unless
    /// <paramref name="registerClock"/> is false, and <c>AddResilience</c> over the <c>Resilience</c> section of
    /// <paramref name="configuration"/>, or without configuration when it is null. The test's end stops and disposes it.
    /// </summary>
    protected IHost BuildHost(IConfiguration? configuration, bool registerClock = true, Action<IServiceCollection>? configure = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFakeLogging();
        if (registerClock)
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
        }

        if (configuration is null)
        {
            builder.Services.AddResilience();
        }
        else
        {
            builder.Services.AddResilience(configuration.GetSection("Resilience"));
        }

        configure?.Invoke(builder.Services);
        IHost host = builder.Build();
        _hosts.Add(host);
        return host;
    }

    /// <summary>Builds a host as <see cref="BuildHost"/> does and starts it.</summary>
    protected async Task<IHost> StartHostAsync(IConfiguration? configuration, bool registerClock = true, Action<IServiceCollection>? configure = null)
    {
        IHost host = BuildHost(configuration, registerClock, configure);
        await host.StartAsync().WaitAsync(HangGuard);
        return host;
    }

    /// <summary>The logs the host's loggers wrote under the <c>Resilience</c> category, in order.</summary>
    protected static IReadOnlyList<FakeLogRecord> ResilienceLogs(IHost host)
        => host.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Category == "Resilience").ToList();

    /// <summary>The logs of the <c>Resilience</c> category with this event id.</summary>
    protected static IReadOnlyList<FakeLogRecord> ResilienceLogs(IHost host, int eventId)
        => ResilienceLogs(host).Where(r => r.Id.Id == eventId).ToList();

    /// <summary>Calls <paramref name="call"/> and swallows the failure it is expected to end with.</summary>
    protected static async Task FailAsync(Func<CancellationToken, Task<int>> call)
        => await Assert.ThrowsAnyAsync<Exception>(() => call(CancellationToken.None).WaitAsync(HangGuard));

    /// <summary>Waits until <see cref="Clock"/> has had <paramref name="count"/> timers created on it (a delay or a timeout has started on another thread).</summary>
    protected void WaitForTimers(int count)
        => Assert.True(
            SpinWait.SpinUntil(() => Clock.TimersCreated >= count, HangGuard),
            $"Timed out waiting until {count} timer(s) were created on the fake clock (so far {Clock.TimersCreated}).");

    /// <summary>The circuit breaker of this name.</summary>
    protected static CircuitBreakerState Breaker(string name) => Registry.CircuitBreaker(name);

    /// <summary>The bulkhead of this name.</summary>
    protected static BulkheadState Bulkhead(string name) => Registry.Bulkheads.Single(b => b.Name == name);

    /// <summary>The rate limit of this name.</summary>
    protected static RateLimiterState RateLimiter(string name) => Registry.RateLimiters.Single(l => l.Name == name);
}

/// <summary>
/// A configuration source whose whole content a test replaces, then raises a reload, as a JSON file that was edited
/// does: keys missing from the new content are gone.
/// </summary>
public sealed class ReplaceableConfigurationSource : ConfigurationProvider, IConfigurationSource
{
    public ReplaceableConfigurationSource(params (string Key, string? Value)[] values) => Set(values);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>Replaces the content with <paramref name="values"/> and raises the reload.</summary>
    public void Replace(params (string Key, string? Value)[] values)
    {
        Set(values);
        OnReload();
    }

    private void Set((string Key, string? Value)[] values)
        => Data = values.ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers created on it, so that a test can wait until a call going
/// on on another thread has started its delay before it advances the clock past it.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    private int _timersCreated;

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timersCreated);
        return timer;
    }
}
