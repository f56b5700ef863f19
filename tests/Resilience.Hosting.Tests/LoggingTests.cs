using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Resilience.Hosting.Tests;

/// <summary>While the host runs, what the policies do is logged under the <c>Resilience</c> category.</summary>
public sealed class LoggingTests : HostingTest
{
    [Fact]
    public async Task Opening_a_breaker_logs_a_warning_with_the_failure_count_error_rate_and_break()
    {
        IHost host = await StartHostAsync(configuration: null);
        Assert.Equal(42, await Dependency.LoggedBreakerAsync(CancellationToken.None));
        Dependency.Behaviour = Dependency.Fail;

        for (int i = 0; i < 3; i++)
        {
            await FailAsync(Dependency.LoggedBreakerAsync);
        }

        FakeLogRecord opened = Assert.Single(ResilienceLogs(host, ResilienceEventIds.CircuitOpened));
        Assert.Equal(LogLevel.Warning, opened.Level);
        Assert.Equal("CircuitOpened", opened.Id.Name);
        Assert.Equal("Resilience", opened.Category);
        Assert.Equal(Names.LoggedBreaker, opened.GetStructuredStateValue("Policy"));
        Assert.Equal("3", opened.GetStructuredStateValue("FailureCount"));
        Assert.Equal(0.75, double.Parse(opened.GetStructuredStateValue("ErrorRate")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.FromSeconds(1).ToString(), opened.GetStructuredStateValue("BreakDuration"));
        Assert.Equal(nameof(CircuitState.Closed), opened.GetStructuredStateValue("PreviousState"));
        Assert.Contains($"Circuit breaker '{Names.LoggedBreaker}' opened", opened.Message);
    }

    [Fact]
    public async Task A_call_answered_by_its_cached_fallback_logs_a_warning_with_the_failure()
    {
        IHost host = await StartHostAsync(configuration: null);
        Assert.Equal(42, await Dependency.CachedAsync("a", CancellationToken.None));
        Dependency.Behaviour = Dependency.Fail;

        Assert.Equal(42, await Dependency.CachedAsync("a", CancellationToken.None));

        FakeLogRecord answered = Assert.Single(ResilienceLogs(host, ResilienceEventIds.CachedFallbackAnswered));
        Assert.Equal(LogLevel.Warning, answered.Level);
        Assert.Equal(Names.CachedMethod, answered.GetStructuredStateValue("Method"));
        Assert.Equal(typeof(InvalidOperationException).FullName, answered.GetStructuredStateValue("ExceptionType"));
        Assert.Equal("False", answered.GetStructuredStateValue("FromSharedStore"));
    }

    [Fact]
    public async Task Opening_a_breaker_that_judges_slow_calls_logs_their_share_and_the_break_under_the_same_event_id()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:log.breaker:SlowCallDurationMs", "1000"),
            ("Resilience:log.breaker:MinimumThroughput", "2"));
        IHost host = await StartHostAsync(configuration);
        Dependency.Behaviour = _ =>
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            return Task.FromResult(42);
        };

        await Dependency.LoggedBreakerAsync(CancellationToken.None);
        await Dependency.LoggedBreakerAsync(CancellationToken.None);

        FakeLogRecord opened = Assert.Single(ResilienceLogs(host, ResilienceEventIds.CircuitOpened));
        Assert.Equal("CircuitOpenedWithSlowCalls", opened.Id.Name);
        Assert.Equal(LogLevel.Warning, opened.Level);
        Assert.Equal("0", opened.GetStructuredStateValue("FailureCount"));
        Assert.Equal(1, double.Parse(opened.GetStructuredStateValue("SlowCallRate")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.FromSeconds(1).ToString(), opened.GetStructuredStateValue("BreakDuration"));
        Assert.Contains("slow-call rate", opened.Message);
    }

    [Fact]
    public async Task The_error_rate_logged_when_a_breaker_opens_is_the_one_its_health_check_reports()
    {
        IHost host = await StartHostAsync(configuration: null, configure: services => services.AddHealthChecks().AddResilienceHealthChecks());
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();

        // A first opening and closing, so that the breaker's lifetime counts differ from those it opens on next.
        Assert.Equal(42, await Dependency.LoggedBreakerAsync(CancellationToken.None).WaitAsync(HangGuard));
        Dependency.Behaviour = Dependency.Fail;
        for (int i = 0; i < 3; i++)
        {
            await FailAsync(Dependency.LoggedBreakerAsync);
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        Dependency.Behaviour = Dependency.Succeed;
        Assert.Equal(42, await Dependency.LoggedBreakerAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Closed, Breaker(Names.LoggedBreaker).State);

        // Closed again: one success, then three failures open it: 3 failures in 4 calls.
        Assert.Equal(42, await Dependency.LoggedBreakerAsync(CancellationToken.None).WaitAsync(HangGuard));
        Dependency.Behaviour = Dependency.Fail;
        for (int i = 0; i < 3; i++)
        {
            await FailAsync(Dependency.LoggedBreakerAsync);
        }

        FakeLogRecord opened = ResilienceLogs(host, ResilienceEventIds.CircuitOpened)[^1];
        double logged = double.Parse(opened.GetStructuredStateValue("ErrorRate")!, System.Globalization.CultureInfo.InvariantCulture);
        HealthReport report = await health.CheckHealthAsync().WaitAsync(HangGuard);
        var entry = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(Assert.Single(report.Entries).Value.Data[Names.LoggedBreaker]);

        Assert.Equal(0.75, logged);
        Assert.Equal(logged, entry["errorRate"]);
        Assert.Equal(3, entry["recentFailures"]);
        Assert.NotEqual(logged, Breaker(Names.LoggedBreaker).GetMetrics().ErrorRate);
    }

    [Fact]
    public async Task Half_opening_and_closing_are_logged_as_information()
    {
        IHost host = await StartHostAsync(configuration: null);
        Dependency.Behaviour = Dependency.Fail;
        for (int i = 0; i < 3; i++)
        {
            await FailAsync(Dependency.LoggedBreakerAsync);
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        Dependency.Behaviour = Dependency.Succeed;
        Assert.Equal(42, await Dependency.LoggedBreakerAsync(CancellationToken.None).WaitAsync(HangGuard));

        FakeLogRecord halfOpened = Assert.Single(ResilienceLogs(host, ResilienceEventIds.CircuitHalfOpened));
        Assert.Equal(LogLevel.Information, halfOpened.Level);
        Assert.Equal(Names.LoggedBreaker, halfOpened.GetStructuredStateValue("Policy"));
        FakeLogRecord closed = Assert.Single(ResilienceLogs(host, ResilienceEventIds.CircuitClosed));
        Assert.Equal(LogLevel.Information, closed.Level);
        Assert.Equal(Names.LoggedBreaker, closed.GetStructuredStateValue("Policy"));
        Assert.Equal(nameof(CircuitState.HalfOpen), closed.GetStructuredStateValue("PreviousState"));
        Assert.Equal(
            new[] { ResilienceEventIds.CircuitOpened, ResilienceEventIds.CircuitHalfOpened, ResilienceEventIds.CircuitClosed },
            ResilienceLogs(host).Select(r => r.Id.Id).Where(id => id is >= 1001 and <= 1004));
    }

    [Fact]
    public async Task Isolating_a_breaker_logs_a_warning()
    {
        IHost host = await StartHostAsync(configuration: null);

        Breaker(Names.LoggedBreaker).Isolate();

        FakeLogRecord isolated = Assert.Single(ResilienceLogs(host, ResilienceEventIds.CircuitIsolated));
        Assert.Equal(LogLevel.Warning, isolated.Level);
        Assert.Equal(Names.LoggedBreaker, isolated.GetStructuredStateValue("Policy"));
        Assert.Equal(nameof(CircuitState.Closed), isolated.GetStructuredStateValue("PreviousState"));
    }

    [Fact]
    public async Task A_retry_logs_the_attempt_delay_and_exception_type()
    {
        IHost host = await StartHostAsync(configuration: null);
        int calls = 0;
        Dependency.Behaviour = ct => ++calls == 1 ? Dependency.Fail(ct) : Dependency.Succeed(ct);

        Task<int> call = Dependency.RetriedAsync(CancellationToken.None);
        FakeLogRecord retrying = Assert.Single(ResilienceLogs(host, ResilienceEventIds.Retrying));
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(42, await call.WaitAsync(HangGuard));

        Assert.Equal(LogLevel.Warning, retrying.Level);
        Assert.Equal(Names.RetriedMethod, retrying.GetStructuredStateValue("Method"));
        Assert.Equal(Names.RetriedMethod, retrying.GetStructuredStateValue("Policy"));
        Assert.Equal("1", retrying.GetStructuredStateValue("Attempt"));
        Assert.Equal(TimeSpan.FromMilliseconds(200).ToString(), retrying.GetStructuredStateValue("Delay"));
        Assert.Equal(typeof(InvalidOperationException).FullName, retrying.GetStructuredStateValue("ExceptionType"));
        Assert.Equal("The dependency failed.", retrying.GetStructuredStateValue("ExceptionMessage"));
        Assert.Single(ResilienceLogs(host, ResilienceEventIds.Retrying));
    }

    [Fact]
    public async Task A_retry_on_a_failed_result_logs_the_result_in_place_of_an_exception()
    {
        IHost host = await StartHostAsync(configuration: null);
        int calls = 0;
        Dependency.Behaviour = ct => Task.FromResult(++calls == 1 ? -5 : 42);

        Task<int> call = Dependency.RetriedOnResultAsync(CancellationToken.None);
        FakeLogRecord retrying = Assert.Single(ResilienceLogs(host, ResilienceEventIds.Retrying));
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(42, await call.WaitAsync(HangGuard));

        Assert.Equal("a failed result", retrying.GetStructuredStateValue("ExceptionType"));
        Assert.Equal("-5", retrying.GetStructuredStateValue("ExceptionMessage"));
        Assert.Contains("failed on attempt 1 with a failed result: -5; retrying in", retrying.Message);
    }

    [Fact]
    public async Task Each_retry_is_logged_with_its_attempt_number()
    {
        IHost host = await StartHostAsync(configuration: null);
        Dependency.Behaviour = Dependency.Fail;

        Task<int> call = Dependency.RetriedAsync(CancellationToken.None);
        WaitForTimers(1);
        Clock.Advance(TimeSpan.FromMilliseconds(200));
        WaitForTimers(2);
        Clock.Advance(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(new[] { "1", "2" }, ResilienceLogs(host, ResilienceEventIds.Retrying).Select(r => r.GetStructuredStateValue("Attempt")));
        Assert.Equal(3, Dependency.Runs);
    }

    [Fact]
    public async Task A_timeout_logs_the_timeout_and_its_scope()
    {
        IHost host = await StartHostAsync(configuration: null);
        Dependency.Behaviour = Dependency.Hang;

        Task<int> call = Dependency.TimedAsync(CancellationToken.None);
        WaitForTimers(1);
        Assert.Empty(ResilienceLogs(host, ResilienceEventIds.TimedOut));
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));

        FakeLogRecord timedOut = Assert.Single(ResilienceLogs(host, ResilienceEventIds.TimedOut));
        Assert.Equal(LogLevel.Warning, timedOut.Level);
        Assert.Equal(Names.TimedMethod, timedOut.GetStructuredStateValue("Method"));
        Assert.Equal(Names.TimedMethod, timedOut.GetStructuredStateValue("Policy"));
        Assert.Equal(TimeSpan.FromMilliseconds(100).ToString(), timedOut.GetStructuredStateValue("Timeout"));
        Assert.Equal(nameof(TimeoutScope.PerAttempt), timedOut.GetStructuredStateValue("Scope"));
    }

    [Fact]
    public async Task An_open_breakers_rejection_logs_the_kind_and_when_to_retry()
    {
        IHost host = await StartHostAsync(configuration: null);
        Dependency.Behaviour = Dependency.Fail;
        for (int i = 0; i < 3; i++)
        {
            await FailAsync(Dependency.LoggedBreakerAsync);
        }

        Clock.Advance(TimeSpan.FromMilliseconds(400));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Dependency.LoggedBreakerAsync(CancellationToken.None).WaitAsync(HangGuard));

        FakeLogRecord rejected = Assert.Single(ResilienceLogs(host, ResilienceEventIds.Rejected));
        Assert.Equal(LogLevel.Warning, rejected.Level);
        Assert.Equal(Names.LoggedBreaker, rejected.GetStructuredStateValue("Policy"));
        Assert.Equal(nameof(PolicyKind.CircuitBreaker), rejected.GetStructuredStateValue("Kind"));
        Assert.Equal(TimeSpan.FromMilliseconds(600).ToString(), rejected.GetStructuredStateValue("RetryAfter"));
    }

    [Fact]
    public async Task A_full_bulkheads_rejection_is_logged()
    {
        IHost host = await StartHostAsync(configuration: null);
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Dependency.Behaviour = _ => release.Task;
        Task<int> first = Dependency.LoggedBulkheadAsync(CancellationToken.None);

        await Assert.ThrowsAsync<BulkheadRejectedException>(() => Dependency.LoggedBulkheadAsync(CancellationToken.None).WaitAsync(HangGuard));
        release.SetResult(1);
        await first.WaitAsync(HangGuard);

        FakeLogRecord rejected = Assert.Single(ResilienceLogs(host, ResilienceEventIds.Rejected));
        Assert.Equal(Names.LoggedBulkhead, rejected.GetStructuredStateValue("Policy"));
        Assert.Equal(nameof(PolicyKind.Bulkhead), rejected.GetStructuredStateValue("Kind"));
        // A bulkhead knows no time to retry after: the message does not promise one.
        Assert.Equal($"Bulkhead '{Names.LoggedBulkhead}' rejected a call.", rejected.Message);
        Assert.Null(rejected.GetStructuredStateValue("RetryAfter"));
    }

    [Fact]
    public async Task Applying_settings_at_start_and_on_reload_logs_the_number_of_policy_names()
    {
        var source = new ReplaceableConfigurationSource(
            ("Resilience:log.breaker:FailureThreshold", "4"),
            ("Resilience:log.bulkhead:MaxConcurrency", "2"));
        IHost host = await StartHostAsync(new ConfigurationBuilder().Add(source).Build());

        FakeLogRecord applied = Assert.Single(ResilienceLogs(host, ResilienceEventIds.SettingsApplied));
        Assert.Equal(LogLevel.Information, applied.Level);
        Assert.Equal("2", applied.GetStructuredStateValue("PolicyCount"));

        source.Replace(("Resilience:log.breaker:FailureThreshold", "4"));

        Assert.Equal(new[] { "2", "1" }, ResilienceLogs(host, ResilienceEventIds.SettingsApplied).Select(r => r.GetStructuredStateValue("PolicyCount")));
    }

    [Fact]
    public async Task A_reload_that_changes_nothing_is_neither_applied_nor_logged_again()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:log.breaker:FailureThreshold", "4"), ("Resilience:log.braeker:FailureThreshold", "4"));
        IHost host = await StartHostAsync(configuration);

        // As a file watcher signals one save twice.
        configuration.Reload();
        configuration.Reload();
        Assert.Single(ResilienceLogs(host, ResilienceEventIds.SettingsApplied));
        Assert.Single(ResilienceLogs(host, ResilienceEventIds.UnknownPolicy));

        configuration["Resilience:log.breaker:FailureThreshold"] = "5";
        configuration.Reload();
        configuration.Reload();
        Assert.Equal(2, ResilienceLogs(host, ResilienceEventIds.SettingsApplied).Count);
        Assert.Equal(5, Breaker("log.breaker").Options.FailureThreshold);

        // A bad value is refused once, however many times it is signalled; put back as it was, it applies again.
        configuration["Resilience:log.breaker:FailureThreshold"] = "0";
        configuration.Reload();
        configuration.Reload();
        Assert.Single(ResilienceLogs(host, ResilienceEventIds.SettingsRejected));
        configuration["Resilience:log.breaker:FailureThreshold"] = "5";
        configuration.Reload();
        Assert.Equal(3, ResilienceLogs(host, ResilienceEventIds.SettingsApplied).Count);

        // A value emptied is a change too (an empty value is refused; a removed one is not given).
        configuration["Resilience:log.breaker:FailureThreshold"] = "";
        configuration.Reload();
        Assert.Equal(2, ResilienceLogs(host, ResilienceEventIds.SettingsRejected).Count);
    }

    [Fact]
    public async Task Settings_for_a_name_no_policy_has_log_a_warning_naming_it()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:log.breaker:FailureThreshold", "4"),
            ("Resilience:log.braeker:FailureThreshold", "4"));

        IHost host = await StartHostAsync(configuration);

        FakeLogRecord unknown = Assert.Single(ResilienceLogs(host, ResilienceEventIds.UnknownPolicy));
        Assert.Equal(LogLevel.Warning, unknown.Level);
        Assert.Equal("log.braeker", unknown.GetStructuredStateValue("Policy"));
        Assert.Contains("'log.braeker'", unknown.Message);
    }

    [Fact]
    public async Task Settings_for_known_breakers_bulkheads_and_rate_limits_log_no_unknown_policy_warning()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:log.breaker:FailureThreshold", "4"),
            ("Resilience:log.bulkhead:MaxConcurrency", "2"),
            ("Resilience:cfg.limit:Permits", "2"));

        IHost host = await StartHostAsync(configuration);

        Assert.Empty(ResilienceLogs(host, ResilienceEventIds.UnknownPolicy));
        Assert.Single(ResilienceLogs(host, ResilienceEventIds.SettingsApplied));
    }

    [Fact]
    public async Task A_distributed_limit_without_a_store_logs_once_that_it_runs_locally()
    {
        IHost host = await StartHostAsync(configuration: null);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(42, await Dependency.DistributedLimitAsync(CancellationToken.None));
        }

        FakeLogRecord local = Assert.Single(ResilienceLogs(host, ResilienceEventIds.DistributedRunningLocally));
        Assert.Equal(LogLevel.Warning, local.Level);
        Assert.Equal("DistributedRunningLocally", local.Id.Name);
        Assert.Equal(Names.DistributedLimit, local.GetStructuredStateValue("Policy"));
        Assert.Equal(nameof(PolicyKind.RateLimit), local.GetStructuredStateValue("Kind"));
        Assert.Contains("no distributed store is registered", local.GetStructuredStateValue("Reason"));
    }

    [Fact]
    public async Task A_distributed_limit_that_ran_locally_before_the_host_started_is_logged_when_it_starts()
    {
        IHost host = BuildHost(configuration: null);
        Assert.Equal(42, await Dependency.DistributedLimitAsync(CancellationToken.None));
        Assert.Equal([Names.DistributedLimit], Registry.DistributedPoliciesRunningLocally);

        await host.StartAsync().WaitAsync(HangGuard);
        FakeLogRecord local = Assert.Single(ResilienceLogs(host, ResilienceEventIds.DistributedRunningLocally));
        Assert.Equal(Names.DistributedLimit, local.GetStructuredStateValue("Policy"));

        // Told once: the calls made while the host runs add nothing.
        Assert.Equal(42, await Dependency.DistributedLimitAsync(CancellationToken.None));
        Assert.Single(ResilienceLogs(host, ResilienceEventIds.DistributedRunningLocally));
    }

    [Fact]
    public async Task Nothing_is_logged_after_the_host_stops()
    {
        IHost host = await StartHostAsync(configuration: null);
        await host.StopAsync().WaitAsync(HangGuard);
        int before = ResilienceLogs(host).Count;

        Dependency.Behaviour = Dependency.Fail;
        for (int i = 0; i < 4; i++)
        {
            await FailAsync(Dependency.LoggedBreakerAsync);
        }

        Assert.Equal(CircuitState.Open, Breaker(Names.LoggedBreaker).State);
        Assert.Equal(before, ResilienceLogs(host).Count);
    }

    [Fact]
    public async Task Without_AddResilience_nothing_is_logged()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFakeLogging();
        using IHost host = builder.Build();
        await host.StartAsync().WaitAsync(HangGuard);

        Breaker(Names.LoggedBreaker).Isolate();

        Assert.Empty(ResilienceLogs(host));
        await host.StopAsync().WaitAsync(HangGuard);
    }

    [Fact]
    public async Task A_partition_of_a_keyed_breaker_is_logged_with_its_key()
    {
        IHost host = await StartHostAsync(configuration: null);
        KeyedCircuitBreakerState<string> breaker = Registry.GetOrAddKeyedCircuitBreaker<string>("log.per-host", new CircuitBreakerOptions { FailureThreshold = 1 });
        CircuitBreakerState partition = breaker.GetPartition("https://down:443");

        Assert.True(partition.TryEnter(out CircuitBreakerPermit permit));
        partition.RecordFailure(permit);

        FakeLogRecord opened = Assert.Single(ResilienceLogs(host, ResilienceEventIds.CircuitOpened));
        Assert.Equal("log.per-host [https://down:443]", opened.GetStructuredStateValue("Policy"));
    }
}
