using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Resilience.Hosting.Tests;

/// <summary>While the host runs, a reload of the configuration applies to the running policies.</summary>
public sealed class ReloadTests : HostingTest
{
    private const string Threshold = "Resilience:reload.breaker:FailureThreshold";
    private const string BreakDuration = "Resilience:reload.breaker:BreakDurationMs";

    [Fact]
    public async Task Reload_changes_a_running_breakers_threshold()
    {
        IConfigurationRoot configuration = Configuration((Threshold, "5"));
        await StartHostAsync(configuration);
        CircuitBreakerState breaker = Breaker(Names.ReloadedBreaker);
        Dependency.Behaviour = Dependency.Fail;

        // Before the reload, two failures are not enough.
        await FailAsync(Dependency.ReloadedBreakerAsync);
        await FailAsync(Dependency.ReloadedBreakerAsync);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Dependency.Behaviour = Dependency.Succeed;
        Assert.Equal(42, await Dependency.ReloadedBreakerAsync(CancellationToken.None));

        configuration[Threshold] = "2";
        configuration.Reload();
        Dependency.Behaviour = Dependency.Fail;

        await FailAsync(Dependency.ReloadedBreakerAsync);
        Assert.Equal(CircuitState.Closed, breaker.State);
        await FailAsync(Dependency.ReloadedBreakerAsync);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(2, breaker.Options.FailureThreshold);
    }

    [Fact]
    public async Task A_reload_turns_on_the_slow_call_rule_of_a_running_breaker()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:reload.breaker:MinimumThroughput", "2"));
        await StartHostAsync(configuration);
        CircuitBreakerState breaker = Breaker(Names.ReloadedBreaker);
        Dependency.Behaviour = _ =>
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            return Task.FromResult(42);
        };

        // Slow, but nobody asked: the breaker stays closed.
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(42, await Dependency.ReloadedBreakerAsync(CancellationToken.None));
        }

        Assert.Equal(CircuitState.Closed, breaker.State);

        configuration["Resilience:reload.breaker:SlowCallDurationMs"] = "1000";
        configuration.Reload();
        await Dependency.ReloadedBreakerAsync(CancellationToken.None);
        await Dependency.ReloadedBreakerAsync(CancellationToken.None);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(2, breaker.GetMetrics().SlowCalls);
    }

    [Fact]
    public async Task A_shorter_break_from_a_reload_applies_to_a_breaker_already_open()
    {
        IConfigurationRoot configuration = Configuration((Threshold, "1"));
        await StartHostAsync(configuration);
        Dependency.Behaviour = Dependency.Fail;
        await FailAsync(Dependency.ReloadedBreakerAsync);
        Assert.Equal(CircuitState.Open, Breaker(Names.ReloadedBreaker).State);

        configuration[BreakDuration] = "1000";
        configuration.Reload();
        Assert.Equal(CircuitState.Open, Breaker(Names.ReloadedBreaker).State);
        Clock.Advance(TimeSpan.FromMilliseconds(1_000));
        Dependency.Behaviour = Dependency.Succeed;

        // The attribute's break is a minute; the reloaded one has elapsed, so the probe goes through and closes it.
        Assert.Equal(42, await Dependency.ReloadedBreakerAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Closed, Breaker(Names.ReloadedBreaker).State);
    }

    [Fact]
    public async Task Reload_changes_a_running_rate_limits_permits()
    {
        IConfigurationRoot configuration = Configuration();
        await StartHostAsync(configuration);
        Assert.Equal(42, await Dependency.ReloadedLimitAsync(CancellationToken.None).WaitAsync(HangGuard));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => Dependency.ReloadedLimitAsync(CancellationToken.None).WaitAsync(HangGuard));

        configuration["Resilience:reload.limit:Permits"] = "3";
        configuration.Reload();

        // A limit whose settings changed starts full.
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(42, await Dependency.ReloadedLimitAsync(CancellationToken.None).WaitAsync(HangGuard));
        }

        await Assert.ThrowsAsync<RateLimitRejectedException>(() => Dependency.ReloadedLimitAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(3, RateLimiter(Names.ReloadedLimit).Options.Permits);
    }

    [Fact]
    public async Task Reload_changes_a_running_bulkheads_concurrency()
    {
        IConfigurationRoot configuration = Configuration();
        await StartHostAsync(configuration);
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Dependency.Behaviour = _ => release.Task;

        configuration["Resilience:reload.bulkhead:MaxConcurrency"] = "1";
        configuration.Reload();
        Task<int> first = Dependency.ReloadedBulkheadAsync(CancellationToken.None);

        // The attribute lets two calls in at once; the reloaded setting, one.
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => Dependency.ReloadedBulkheadAsync(CancellationToken.None).WaitAsync(HangGuard));
        release.SetResult(7);
        Assert.Equal(7, await first.WaitAsync(HangGuard));
        Assert.Equal(1, Bulkhead(Names.ReloadedBulkhead).Options.MaxConcurrency);
    }

    [Fact]
    public async Task An_invalid_reload_is_logged_and_the_settings_in_force_are_kept()
    {
        IConfigurationRoot configuration = Configuration((Threshold, "2"));
        IHost host = await StartHostAsync(configuration);

        configuration[Threshold] = "0";
        configuration["Resilience:reload.breaker:BreakLength"] = "5000";
        configuration.Reload();

        FakeLogRecord rejected = Assert.Single(ResilienceLogs(host, ResilienceEventIds.SettingsRejected));
        Assert.Equal(LogLevel.Error, rejected.Level);
        Assert.Contains("Resilience:reload.breaker:FailureThreshold is 0; it must be at least 1.", rejected.Message);
        Assert.Contains("Resilience:reload.breaker:BreakLength is not a setting", rejected.Message);
        Assert.Contains("The settings in force are kept.", rejected.Message);
        Assert.Equal(2, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);

        // And by behaviour: two failures still open it.
        Dependency.Behaviour = Dependency.Fail;
        await FailAsync(Dependency.ReloadedBreakerAsync);
        await FailAsync(Dependency.ReloadedBreakerAsync);
        Assert.Equal(CircuitState.Open, Breaker(Names.ReloadedBreaker).State);
    }

    [Fact]
    public async Task A_reload_that_gives_settings_to_an_empty_policy_name_is_logged_and_ignored()
    {
        IConfigurationRoot configuration = Configuration((Threshold, "2"));
        IHost host = await StartHostAsync(configuration);

        configuration[Threshold] = "4";
        configuration["Resilience::FailureThreshold"] = "3";
        configuration.Reload();

        FakeLogRecord rejected = Assert.Single(ResilienceLogs(host, ResilienceEventIds.SettingsRejected));
        Assert.Contains("Resilience: gives settings to a policy with an empty name", rejected.Message);
        Assert.Equal(2, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);
    }

    [Fact]
    public async Task An_invalid_reload_applies_none_of_its_valid_values()
    {
        IConfigurationRoot configuration = Configuration((Threshold, "2"), ("Resilience:reload.bulkhead:MaxConcurrency", "3"));
        IHost host = await StartHostAsync(configuration);

        configuration[Threshold] = "4";
        configuration["Resilience:reload.bulkhead:MaxConcurrency"] = "none";
        configuration.Reload();

        Assert.Single(ResilienceLogs(host, ResilienceEventIds.SettingsRejected));
        Assert.Equal(2, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);
        Assert.Equal(3, Bulkhead(Names.ReloadedBulkhead).Options.MaxConcurrency);
    }

    [Fact]
    public async Task A_valid_reload_after_an_invalid_one_is_applied()
    {
        IConfigurationRoot configuration = Configuration((Threshold, "2"));
        IHost host = await StartHostAsync(configuration);
        configuration[Threshold] = "zero";
        configuration.Reload();
        Assert.Single(ResilienceLogs(host, ResilienceEventIds.SettingsRejected));

        configuration[Threshold] = "3";
        configuration.Reload();

        Assert.Equal(3, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);
        Assert.Single(ResilienceLogs(host, ResilienceEventIds.SettingsRejected));
    }

    [Fact]
    public async Task Removing_a_setting_on_reload_restores_the_attribute_value()
    {
        var source = new ReplaceableConfigurationSource((Threshold, "2"), (BreakDuration, "5000"));
        IConfigurationRoot configuration = new ConfigurationBuilder().Add(source).Build();
        await StartHostAsync(configuration);
        Assert.Equal(2, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);

        source.Replace((BreakDuration, "5000"));

        Assert.Equal(5, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);
        Assert.Equal(5_000, Breaker(Names.ReloadedBreaker).Options.BreakDurationMs);
    }

    [Fact]
    public async Task Removing_a_policys_section_on_reload_restores_all_its_attribute_values()
    {
        var source = new ReplaceableConfigurationSource((Threshold, "2"), (BreakDuration, "5000"), ("Resilience:reload.bulkhead:MaxConcurrency", "9"));
        IConfigurationRoot configuration = new ConfigurationBuilder().Add(source).Build();
        await StartHostAsync(configuration);

        source.Replace(("Resilience:reload.bulkhead:MaxConcurrency", "9"));

        Assert.Equal(5, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);
        Assert.Equal(60_000, Breaker(Names.ReloadedBreaker).Options.BreakDurationMs);
        Assert.Equal(9, Bulkhead(Names.ReloadedBulkhead).Options.MaxConcurrency);
    }

    [Fact]
    public async Task A_setting_cleared_to_null_on_reload_restores_the_attribute_value()
    {
        IConfigurationRoot configuration = Configuration((Threshold, "2"));
        await StartHostAsync(configuration);

        configuration[Threshold] = null;
        configuration.Reload();

        Assert.Equal(5, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);
    }

    [Fact]
    public async Task Reloads_after_the_host_stops_are_not_applied()
    {
        IConfigurationRoot configuration = Configuration((Threshold, "2"));
        IHost host = await StartHostAsync(configuration);
        await host.StopAsync().WaitAsync(HangGuard);

        configuration[Threshold] = "3";
        configuration.Reload();

        Assert.Equal(2, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);
        Assert.Empty(ResilienceLogs(host, ResilienceEventIds.SettingsApplied).Skip(1));
    }

    [Fact]
    public async Task Reloads_before_the_host_starts_are_applied_when_it_starts()
    {
        IConfigurationRoot configuration = Configuration((Threshold, "2"));
        IHost host = BuildHost(configuration);
        configuration[Threshold] = "3";
        configuration.Reload();
        Assert.Equal(2, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);

        await host.StartAsync().WaitAsync(HangGuard);

        Assert.Equal(3, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);
    }

    [Fact]
    public async Task A_reload_keeps_the_breakers_state_and_counts()
    {
        IConfigurationRoot configuration = Configuration((Threshold, "1"));
        await StartHostAsync(configuration);
        Dependency.Behaviour = Dependency.Fail;
        await FailAsync(Dependency.ReloadedBreakerAsync);

        configuration[Threshold] = "4";
        configuration.Reload();

        CircuitBreakerMetrics metrics = Breaker(Names.ReloadedBreaker).GetMetrics();
        Assert.Equal(CircuitState.Open, metrics.State);
        Assert.Equal(1, metrics.Failures);
        Assert.Equal(4, Breaker(Names.ReloadedBreaker).Options.FailureThreshold);
    }
}
