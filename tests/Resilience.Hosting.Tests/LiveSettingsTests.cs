using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Resilience.Hosting.Tests;

/// <summary>Retries, timeouts, hedging and chaos from configuration, under a method's policy name, changed by a reload while the host runs.</summary>
public sealed class LiveSettingsTests : HostingTest
{
    private const string Live = "Resilience:" + Names.LiveMethod;
    private const string Chaos = "Resilience:" + Names.ChaosBreaker + ":Chaos";

    [Fact]
    public async Task Reload_changes_a_running_methods_retry_attempts()
    {
        IConfigurationRoot configuration = Configuration();
        await StartHostAsync(configuration);
        Dependency.Behaviour = Dependency.Fail;

        await FailAsync(Dependency.LiveAsync);
        Assert.Equal(2, Dependency.Runs);

        configuration[Live + ":MaxAttempts"] = "4";
        configuration.Reload();
        await FailAsync(Dependency.LiveAsync);
        Assert.Equal(2 + 4, Dependency.Runs);

        // Removed from configuration, the attribute's value is back.
        configuration[Live + ":MaxAttempts"] = null;
        configuration.Reload();
        await FailAsync(Dependency.LiveAsync);
        Assert.Equal(2 + 4 + 2, Dependency.Runs);
    }

    [Fact]
    public async Task Reload_changes_a_running_methods_retry_delay()
    {
        IConfigurationRoot configuration = Configuration((Live + ":Delay", "00:00:01"));
        await StartHostAsync(configuration);
        int failures = 0;
        Dependency.Behaviour = _ => ++failures == 1 ? Dependency.Fail(default) : Dependency.Succeed(default);

        Task<int> call = Dependency.LiveAsync(CancellationToken.None);
        WaitForTimers(2);

        // The attribute waits nothing; configuration, a second.
        Clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(call.IsCompleted);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(42, await call.WaitAsync(HangGuard));
        Assert.Equal(2, Dependency.Runs);
    }

    [Fact]
    public async Task Reload_changes_a_running_methods_timeout()
    {
        IConfigurationRoot configuration = Configuration();
        await StartHostAsync(configuration);
        configuration[Live + ":Timeout"] = "00:00:00.100";
        configuration[Live + ":MaxAttempts"] = "1";
        configuration.Reload();
        Dependency.Behaviour = Dependency.Hang;

        Task<int> call = Dependency.LiveAsync(CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(call.IsCompleted);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        var timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(TimeSpan.FromMilliseconds(100), timeout.Timeout);
        Assert.Equal(1, Dependency.Runs);
    }

    [Fact]
    public void Chaos_in_configuration_stops_the_application_at_start_up_unless_chaos_is_allowed()
    {
        Assert.False(Registry.AllowChaos);
        IConfigurationRoot configuration = Configuration((Chaos + ":FaultRate", "0.1"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:chaos.breaker:Chaos is given, but chaos is not allowed in this process", error.Message);
        Assert.Contains("RESILIENCE_ALLOW_CHAOS=true", error.Message);
    }

    [Fact]
    public async Task Chaos_reloaded_in_while_it_is_not_allowed_is_logged_and_never_runs()
    {
        IConfigurationRoot configuration = Configuration();
        IHost host = await StartHostAsync(configuration);

        configuration[Chaos + ":FaultRate"] = "1";
        configuration.Reload();

        FakeLogRecord rejected = Assert.Single(ResilienceLogs(host, ResilienceEventIds.SettingsRejected));
        Assert.Contains("Resilience:chaos.breaker:Chaos is given, but chaos is not allowed", rejected.Message);
        Assert.Equal(42, await Dependency.ChaosAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(1, Dependency.Runs);
    }

    [Fact]
    public async Task Injected_faults_are_retried_and_open_the_breaker_then_a_reload_turns_them_off()
    {
        Registry.AllowChaos = true;
        IConfigurationRoot configuration = Configuration((Chaos + ":FaultRate", "1"));
        IHost host = await StartHostAsync(configuration);

        var error = await Assert.ThrowsAsync<ChaosInjectedException>(() => Dependency.ChaosAsync(CancellationToken.None).WaitAsync(HangGuard));

        Assert.Equal(Names.ChaosBreaker, error.PolicyName);
        Assert.Equal(0, Dependency.Runs);
        // Three attempts, three failures for the breaker, whose threshold is three.
        Assert.Equal(CircuitState.Open, Breaker(Names.ChaosBreaker).State);
        IReadOnlyList<FakeLogRecord> injected = ResilienceLogs(host, ResilienceEventIds.ChaosInjected);
        Assert.Equal(3, injected.Count);
        Assert.All(injected, log => Assert.Equal(LogLevel.Warning, log.Level));
        Assert.Contains("Chaos injected a Fault into an attempt of Resilience.Hosting.Tests.Dependency.ChaosAsync (policy 'chaos.breaker')", injected[0].Message);

        configuration[Chaos + ":Enabled"] = "false";
        configuration.Reload();
        Breaker(Names.ChaosBreaker).Reset();

        Assert.Equal(42, await Dependency.ChaosAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(1, Dependency.Runs);
    }

    [Fact]
    public async Task Injected_latency_waits_on_the_hosts_clock()
    {
        Registry.AllowChaos = true;
        IConfigurationRoot configuration = Configuration((Chaos + ":Latency", "00:00:00.500"), (Chaos + ":LatencyRate", "1"));
        await StartHostAsync(configuration);

        Task<int> call = Dependency.ChaosAsync(CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(call.IsCompleted);
        Assert.Equal(0, Dependency.Runs);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(42, await call.WaitAsync(HangGuard));
        Assert.Equal(1, Dependency.Runs);
    }

    [Fact]
    public async Task Reload_changes_a_policy_names_hedging_settings_apart_from_its_retrys()
    {
        const string hedged = "Resilience:hedged.api";
        IConfigurationRoot configuration = Configuration((hedged + ":Hedging:MaxAttempts", "3"), (hedged + ":Hedging:Delay", "00:00:00.150"), (hedged + ":MaxAttempts", "5"));
        await StartHostAsync(configuration);
        LivePolicySettings live = Registry.GetLivePolicySettings("hedged.api");

        Assert.Equal(3, live.Overrides?.HedgingMaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(150), live.Overrides?.HedgingDelay);
        Assert.Equal(5, live.Overrides?.MaxAttempts);

        configuration[hedged + ":Hedging:MaxAttempts"] = null;
        configuration[hedged + ":Hedging:Delay"] = null;
        configuration[hedged + ":Hedging:DelayMs"] = "-1";
        configuration.Reload();
        Assert.Null(live.Overrides?.HedgingMaxAttempts);
        Assert.Equal(Timeout.InfiniteTimeSpan, live.Overrides?.HedgingDelay);
        Assert.Equal(5, live.Overrides?.MaxAttempts);
    }

    [Fact]
    public void A_key_cleared_to_no_value_gives_nothing_so_its_other_form_may_be_given()
    {
        // As a reload leaves a key that was removed from a provider which keeps it with no value.
        IConfigurationRoot configuration = Configuration((Live + ":Delay", null), (Live + ":DelayMs", "100"));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        Assert.Equal(100, Registry.GetLivePolicySettings(Names.LiveMethod).Overrides?.DelayMs);
    }

    [Theory]
    [InlineData("Hedging:MaxAttempts", "1", "Resilience:hedged.api:Hedging:MaxAttempts is 1; it must be between 2 and 10.")]
    [InlineData("Hedging:MaxAttempts", "99999999999", "Resilience:hedged.api:Hedging:MaxAttempts is '99999999999', a number beyond what a setting holds; it must be between 2 and 10.")]
    [InlineData("Hedging:DelayMs", "-5", "Resilience:hedged.api:Hedging:DelayMs is -5; it must be at least 0, or -1 (Timeout.Infinite) for a new attempt only when one fails.")]
    [InlineData("Hedging:DelayMs", "fast", "Resilience:hedged.api:Hedging:DelayMs is 'fast'; it must be whole milliseconds (30000) or TimeSpan text")]
    [InlineData("Hedging:Attempts", "3", "Resilience:hedged.api:Hedging:Attempts is not a hedging setting; the settings are: MaxAttempts, DelayMs.")]
    [InlineData("Hedging", "fast", "Resilience:hedged.api:Hedging is 'fast'; it must be a section of settings, e.g. \"Hedging\": { \"DelayMs\": 150 }.")]
    [InlineData("Chaos", "on", "Resilience:hedged.api:Chaos is 'on'; it must be a section of settings, e.g. \"Chaos\": { \"FaultRate\": 0.1 }.")]
    public void Each_hedging_setting_is_checked(string setting, string value, string expected)
    {
        IConfigurationRoot configuration = Configuration(($"Resilience:hedged.api:{setting}", value));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("FaultRate", "2", "Resilience:chaos.breaker:Chaos:FaultRate is 2; it must be 0 (off) or in (0, 1].")]
    [InlineData("OutcomeStatusCode", "700", "Resilience:chaos.breaker:Chaos:OutcomeStatusCode is 700; it must be between 100 and 599.")]
    [InlineData("LatencyRate", "0.5", "Resilience:chaos.breaker:Chaos:LatencyRate is 0.5, but Resilience:chaos.breaker:Chaos:LatencyMs is 0")]
    [InlineData("Faults", "0.5", "Resilience:chaos.breaker:Chaos:Faults is not a chaos setting; the settings are: Enabled, FaultRate, LatencyMs, LatencyRate, OutcomeRate, OutcomeStatusCode, Seed.")]
    [InlineData("Enabled", "yes", "Resilience:chaos.breaker:Chaos:Enabled is 'yes'; it must be true or false.")]
    public void Each_chaos_setting_is_checked(string setting, string value, string expected)
    {
        Registry.AllowChaos = true;
        IConfigurationRoot configuration = Configuration(($"{Chaos}:{setting}", value));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains(expected, error.Message);
    }
}
