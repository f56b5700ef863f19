using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Hosting.Tests;

/// <summary>The host's <see cref="TimeProvider"/> service is the registry's clock while the host runs.</summary>
public sealed class TimeProviderTests : HostingTest
{
    [Fact]
    public async Task The_hosts_TimeProvider_becomes_the_registrys_when_the_host_starts_and_is_restored_when_it_stops()
    {
        TimeProvider before = Registry.TimeProvider;
        IHost host = BuildHost(Configuration());
        Assert.Same(before, Registry.TimeProvider);

        await host.StartAsync().WaitAsync(HangGuard);
        Assert.Same(Clock, Registry.TimeProvider);

        await host.StopAsync().WaitAsync(HangGuard);
        Assert.Same(before, Registry.TimeProvider);
    }

    [Fact]
    public async Task The_clock_the_registry_had_before_the_host_is_the_one_restored()
    {
        var earlier = new FakeTimeProvider();
        Registry.TimeProvider = earlier;
        IHost host = await StartHostAsync(configuration: null);
        Assert.Same(Clock, Registry.TimeProvider);

        await host.StopAsync().WaitAsync(HangGuard);

        Assert.Same(earlier, Registry.TimeProvider);
    }

    [Fact]
    public async Task Without_a_TimeProvider_service_the_registry_keeps_its_clock()
    {
        var earlier = new FakeTimeProvider();
        Registry.TimeProvider = earlier;

        IHost host = await StartHostAsync(Configuration(), registerClock: false);
        Assert.Same(earlier, Registry.TimeProvider);
        await host.StopAsync().WaitAsync(HangGuard);

        Assert.Same(earlier, Registry.TimeProvider);
    }

    [Fact]
    public async Task A_clock_set_by_hand_while_the_host_runs_is_kept_when_it_stops()
    {
        IHost host = await StartHostAsync(configuration: null);
        var byHand = new FakeTimeProvider();
        Registry.TimeProvider = byHand;

        await host.StopAsync().WaitAsync(HangGuard);

        Assert.Same(byHand, Registry.TimeProvider);
    }

    [Fact]
    public async Task Disposing_a_host_that_was_never_stopped_restores_the_clock()
    {
        TimeProvider before = Registry.TimeProvider;
        IHost host = await StartHostAsync(configuration: null);

        host.Dispose();

        Assert.Same(before, Registry.TimeProvider);
    }

    [Fact]
    public async Task A_host_that_fails_to_start_gives_the_clock_back_when_disposed()
    {
        TimeProvider before = Registry.TimeProvider;
        IConfigurationRoot configuration = Configuration(("Resilience:clock.breaker:FailureThreshold", "3"));
        IHost host = BuildHost(configuration);
        configuration["Resilience:clock.breaker:FailureThreshold"] = "0";
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(HangGuard));

        host.Dispose();

        Assert.Same(before, Registry.TimeProvider);
    }

    [Fact]
    public async Task Two_hosts_stopped_in_the_order_they_started_leave_the_clock_they_found()
    {
        TimeProvider before = Registry.TimeProvider;
        IHost first = await StartHostAsync(configuration: null);
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        builder.Services.AddResilience();
        using IHost second = builder.Build();
        await second.StartAsync().WaitAsync(HangGuard);

        await first.StopAsync().WaitAsync(HangGuard);
        await second.StopAsync().WaitAsync(HangGuard);

        Assert.Same(before, Registry.TimeProvider);
    }

    [Fact]
    public async Task When_the_later_of_two_hosts_stops_first_the_registry_goes_back_to_the_earlier_hosts_clock()
    {
        TimeProvider before = Registry.TimeProvider;
        IHost first = await StartHostAsync(configuration: null);
        var secondClock = new FakeTimeProvider();
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<TimeProvider>(secondClock);
        builder.Services.AddResilience();
        using IHost second = builder.Build();
        await second.StartAsync().WaitAsync(HangGuard);
        Assert.Same(secondClock, Registry.TimeProvider);

        await second.StopAsync().WaitAsync(HangGuard);
        Assert.Same(Clock, Registry.TimeProvider);

        await first.StopAsync().WaitAsync(HangGuard);
        Assert.Same(before, Registry.TimeProvider);
    }

    [Fact]
    public async Task A_breaker_waits_out_its_break_on_the_hosts_clock()
    {
        await StartHostAsync(configuration: null);
        Dependency.Behaviour = Dependency.Fail;
        await FailAsync(Dependency.ClockBreakerAsync);
        Dependency.Behaviour = Dependency.Succeed;

        Clock.Advance(TimeSpan.FromMilliseconds(999));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Dependency.ClockBreakerAsync(CancellationToken.None).WaitAsync(HangGuard));
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(42, await Dependency.ClockBreakerAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Closed, Breaker(Names.ClockBreaker).State);
    }

    [Fact]
    public async Task The_time_of_the_last_failure_is_read_from_the_hosts_clock()
    {
        await StartHostAsync(configuration: null);
        Clock.SetUtcNow(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        Dependency.Behaviour = Dependency.Fail;

        await FailAsync(Dependency.ClockBreakerAsync);

        Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero), Breaker(Names.ClockBreaker).GetMetrics().LastFailureTime);
    }
}
