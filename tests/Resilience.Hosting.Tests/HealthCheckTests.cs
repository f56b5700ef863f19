using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Resilience.Hosting.Tests;

/// <summary><c>AddResilienceHealthChecks</c>: the application's health from its circuit breakers, run through <see cref="HealthCheckService"/>.</summary>
public sealed class HealthCheckTests : HostingTest
{
    public HealthCheckTests()
    {
        Registry.TimeProvider = Clock;
    }

    [Fact]
    public async Task Healthy_while_every_breaker_is_closed_even_with_failures_counted()
    {
        Dependency.Behaviour = Dependency.Fail;
        await FailAsync(Dependency.LoggedBreakerAsync); // its threshold is three

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker));

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("circuit breakers are closed", entry.Description);
        Assert.Equal(1L, ((IReadOnlyDictionary<string, object>)entry.Data[Names.LoggedBreaker])["failures"]);
    }

    [Fact]
    public async Task Degraded_while_a_non_critical_breaker_is_open()
    {
        await OpenAsync(Dependency.CacheAsync);

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker));

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal($"Some circuit breakers are not closed: '{Names.CacheBreaker}' is open.", entry.Description);
    }

    [Fact]
    public async Task Degraded_while_a_non_critical_breaker_is_half_open()
    {
        await HalfOpenAsync(Dependency.CacheAsync);

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker));

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains($"'{Names.CacheBreaker}' is half-open", entry.Description);
    }

    [Fact]
    public async Task Degraded_while_a_non_critical_breaker_is_isolated()
    {
        Breaker(Names.CacheBreaker).Isolate();

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker));

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains($"'{Names.CacheBreaker}' is isolated", entry.Description);
    }

    [Fact]
    public async Task Unhealthy_while_a_critical_breaker_is_open()
    {
        await OpenAsync(Dependency.DatabaseAsync);

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker));

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal($"Critical circuit breakers are open: '{Names.DatabaseBreaker}'. '{Names.DatabaseBreaker}' is open.", entry.Description);
    }

    [Fact]
    public async Task Two_critical_breakers_open_are_listed_together_then_each_with_its_state()
    {
        await OpenAsync(Dependency.CacheAsync);
        await OpenAsync(Dependency.DatabaseAsync);

        HealthReportEntry entry = await CheckAsync(o =>
        {
            o.CriticalBreakers.Add(Names.DatabaseBreaker);
            o.CriticalBreakers.Add(Names.CacheBreaker);
        });

        // In the registry's order, whichever that is: the layout is what is checked.
        string[] open = Registry.CircuitBreakers.Select(b => b.Name).Where(n => n is Names.DatabaseBreaker or Names.CacheBreaker).ToArray();
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal($"Critical circuit breakers are open: '{open[0]}', '{open[1]}'. '{open[0]}' is open; '{open[1]}' is open.", entry.Description);
    }

    [Fact]
    public async Task Unhealthy_while_a_critical_breaker_is_isolated()
    {
        Breaker(Names.DatabaseBreaker).Isolate();

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker));

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains($"'{Names.DatabaseBreaker}' is isolated", entry.Description);
    }

    [Fact]
    public async Task Degraded_while_a_critical_breaker_is_half_open()
    {
        await HalfOpenAsync(Dependency.DatabaseAsync);

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker));

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains($"'{Names.DatabaseBreaker}' is half-open", entry.Description);
    }

    [Fact]
    public async Task Healthy_again_once_the_critical_breaker_closes()
    {
        await HalfOpenAsync(Dependency.DatabaseAsync);
        Assert.Equal(42, await Dependency.DatabaseAsync(CancellationToken.None).WaitAsync(HangGuard));

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker));

        Assert.Equal(CircuitState.Closed, Breaker(Names.DatabaseBreaker).State);
        Assert.Equal(HealthStatus.Healthy, entry.Status);
    }

    [Fact]
    public async Task A_critical_breaker_open_outweighs_a_non_critical_one()
    {
        await OpenAsync(Dependency.CacheAsync);
        await OpenAsync(Dependency.DatabaseAsync);

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker));

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains($"'{Names.CacheBreaker}' is open", entry.Description);
        Assert.Contains($"'{Names.DatabaseBreaker}' is open", entry.Description);
    }

    [Fact]
    public async Task The_data_lists_each_breaker_with_its_state_criticality_and_counts()
    {
        Assert.Equal(42, await Dependency.DatabaseAsync(CancellationToken.None));
        Clock.SetUtcNow(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));
        await OpenAsync(Dependency.DatabaseAsync);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Dependency.DatabaseAsync(CancellationToken.None).WaitAsync(HangGuard));

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker));

        var database = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(entry.Data[Names.DatabaseBreaker]);
        Assert.Equal("open", database["state"]);
        Assert.Equal(true, database["critical"]);
        Assert.Equal(2L, database["calls"]);
        Assert.Equal(1L, database["successes"]);
        Assert.Equal(1L, database["failures"]);
        Assert.Equal(1L, database["rejections"]);
        Assert.Equal(1, database["consecutiveFailures"]);
        Assert.Equal(0.5, database["errorRate"]);
        Assert.Equal(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero), database["lastFailureTime"]);

        var cache = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(entry.Data[Names.CacheBreaker]);
        Assert.Equal("closed", cache["state"]);
        Assert.Equal(false, cache["critical"]);
        Assert.Equal(0L, cache["calls"]);
        Assert.Equal(0d, cache["errorRate"]);
        Assert.False(cache.ContainsKey("lastFailureTime"));

        // Every breaker of the registry, kept per key or not, is listed, and nothing else.
        IEnumerable<string> breakers = Registry.CircuitBreakers.Select(b => b.Name).Concat(Registry.KeyedCircuitBreakers.Select(b => b.Name));
        Assert.Equal(breakers.OrderBy(n => n, StringComparer.Ordinal), entry.Data.Keys.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_critical_name_that_matches_no_breaker_is_mentioned_and_degrades_the_health()
    {
        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add("health.databse"));

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("No circuit breaker is registered as 'health.databse'", entry.Description);
        Assert.False(entry.Data.ContainsKey("health.databse"));
    }

    [Fact]
    public async Task Critical_names_that_match_no_breaker_are_all_named_in_order_beside_the_closed_breakers()
    {
        HealthReportEntry entry = await CheckAsync(o =>
        {
            o.CriticalBreakers.Add("health.ordres");
            o.CriticalBreakers.Add("health.databse");
        });

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(
            "All circuit breakers are closed. No circuit breaker is registered as 'health.databse', 'health.ordres', "
            + "which the check names as critical; check the names.",
            entry.Description);
    }

    [Fact]
    public async Task Critical_names_are_compared_exactly()
    {
        await OpenAsync(Dependency.DatabaseAsync);

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add("HEALTH.DB"));

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("'HEALTH.DB'", entry.Description);
    }

    [Fact]
    public async Task The_failure_status_option_is_reported_for_a_critical_breaker()
    {
        await OpenAsync(Dependency.DatabaseAsync);

        HealthReportEntry entry = await CheckAsync(o =>
        {
            o.CriticalBreakers.Add(Names.DatabaseBreaker);
            o.FailureStatus = HealthStatus.Degraded;
        });

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("Critical circuit breakers are open", entry.Description);
    }

    [Fact]
    public async Task The_check_is_registered_with_its_name_tags_and_failure_status()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddResilienceHealthChecks(o =>
        {
            o.Name = "breakers";
            o.Tags.Add("ready");
            o.FailureStatus = HealthStatus.Degraded;
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        HealthCheckRegistration registration = Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
        Assert.Equal("breakers", registration.Name);
        Assert.Equal(new[] { "ready" }, registration.Tags);
        Assert.Equal(HealthStatus.Degraded, registration.FailureStatus);

        HealthReport ready = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));
        HealthReport live = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("live"));
        Assert.True(ready.Entries.ContainsKey("breakers"));
        Assert.Empty(live.Entries);
    }

    [Fact]
    public void The_default_name_is_resilience()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddResilienceHealthChecks();
        using ServiceProvider provider = services.BuildServiceProvider();

        HealthCheckRegistration registration = Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
        Assert.Equal("resilience", registration.Name);
        Assert.Equal(HealthStatus.Unhealthy, registration.FailureStatus);
        Assert.Empty(registration.Tags);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_name_throws(string name)
    {
        IHealthChecksBuilder builder = new ServiceCollection().AddHealthChecks();

        var error = Assert.Throws<ArgumentException>(() => builder.AddResilienceHealthChecks(o => o.Name = name));

        Assert.Contains("ResilienceHealthCheckOptions.Name is empty", error.Message);
    }

    [Fact]
    public void A_null_builder_throws()
        => Assert.Throws<ArgumentNullException>(() => ((IHealthChecksBuilder)null!).AddResilienceHealthChecks());

    [Fact]
    public async Task Critical_breakers_added_to_the_options_after_registration_are_not_taken()
    {
        await OpenAsync(Dependency.DatabaseAsync);
        ResilienceHealthCheckOptions? kept = null;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddResilienceHealthChecks(o => kept = o);
        kept!.CriticalBreakers.Add(Names.DatabaseBreaker);
        await using ServiceProvider provider = services.BuildServiceProvider();

        HealthReport report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, report.Status);
    }

    /// <summary>Registers the check with <paramref name="configure"/>, runs it through <see cref="HealthCheckService"/>, and returns its entry.</summary>
    private static async Task<HealthReportEntry> CheckAsync(Action<ResilienceHealthCheckOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddResilienceHealthChecks(configure);
        await using ServiceProvider provider = services.BuildServiceProvider();
        HealthReport report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(HangGuard);
        return Assert.Single(report.Entries).Value;
    }

    /// <summary>Opens the breaker of <paramref name="call"/> (its threshold is one failure).</summary>
    private async Task OpenAsync(Func<CancellationToken, Task<int>> call)
    {
        Func<CancellationToken, Task<int>> behaviour = Dependency.Behaviour;
        Dependency.Behaviour = Dependency.Fail;
        await FailAsync(call);
        Dependency.Behaviour = behaviour;
    }

    /// <summary>Opens the breaker of <paramref name="call"/>, waits out its break, and lets one successful probe through: it needs two to close.</summary>
    private async Task HalfOpenAsync(Func<CancellationToken, Task<int>> call)
    {
        await OpenAsync(call);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(42, await call(CancellationToken.None).WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_keyed_breaker_degrades_while_one_of_its_partitions_is_open_and_names_its_key()
    {
        KeyedCircuitBreakerState<string> breaker = Registry.GetOrAddKeyedCircuitBreaker<string>("hc.per-host", new CircuitBreakerOptions { FailureThreshold = 1 });
        OpenPartition(breaker, "https://down:443");
        breaker.GetPartition("https://up:443");

        HealthReportEntry entry = await CheckAsync(_ => { });

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("'hc.per-host' for 'https://down:443' is open", entry.Description);
        var data = (IReadOnlyDictionary<string, object>)entry.Data["hc.per-host"];
        Assert.Equal(true, data["keyed"]);
        var partitions = (IReadOnlyDictionary<string, object>)data["partitions"];
        Assert.Equal((1, 1), ((int)partitions["open"], (int)partitions["closed"]));
        Assert.Equal("open", ((IReadOnlyDictionary<string, object>)data["notClosed"])["https://down:443"]);
    }

    [Fact]
    public async Task A_keyed_breakers_partition_of_a_null_key_is_listed_as_the_null_key()
    {
        KeyedCircuitBreakerState<string?> breaker = Registry.GetOrAddKeyedCircuitBreaker<string?>("hc.per-optional-tenant", new CircuitBreakerOptions { FailureThreshold = 1 });
        CircuitBreakerState partition = breaker.GetPartition(null);
        Assert.True(partition.TryEnter(out CircuitBreakerPermit permit));
        partition.RecordFailure(permit);

        HealthReportEntry entry = await CheckAsync(_ => { });

        var data = (IReadOnlyDictionary<string, object>)entry.Data["hc.per-optional-tenant"];
        Assert.Equal("open", ((IReadOnlyDictionary<string, object>)data["notClosed"])["(null)"]);
        Assert.Contains("'hc.per-optional-tenant' for '(null)' is open", entry.Description);
    }

    [Fact]
    public async Task A_critical_keyed_breaker_is_unhealthy_while_any_partition_is_open_and_healthy_when_all_are_closed()
    {
        KeyedCircuitBreakerState<string> breaker = Registry.GetOrAddKeyedCircuitBreaker<string>("hc.per-tenant", new CircuitBreakerOptions { FailureThreshold = 1 });
        breaker.GetPartition("acme");

        HealthReportEntry closed = await CheckAsync(o => o.CriticalBreakers.Add("hc.per-tenant"));
        OpenPartition(breaker, "acme");
        HealthReportEntry open = await CheckAsync(o => o.CriticalBreakers.Add("hc.per-tenant"));

        Assert.Equal(HealthStatus.Healthy, closed.Status);
        Assert.DoesNotContain("No circuit breaker is registered", closed.Description);
        Assert.Equal(HealthStatus.Unhealthy, open.Status);
        Assert.Contains("Critical circuit breakers are open: 'hc.per-tenant'", open.Description);
    }

    [Fact]
    public async Task A_keyed_breakers_entry_says_whether_it_is_critical()
    {
        KeyedCircuitBreakerState<string> critical = Registry.GetOrAddKeyedCircuitBreaker<string>("hc.per-region", new CircuitBreakerOptions { FailureThreshold = 1 });
        KeyedCircuitBreakerState<string> other = Registry.GetOrAddKeyedCircuitBreaker<string>("hc.per-shard", new CircuitBreakerOptions { FailureThreshold = 1 });
        critical.GetPartition("eu");
        other.GetPartition("7");

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add("hc.per-region"));

        Assert.Equal(true, ((IReadOnlyDictionary<string, object>)entry.Data["hc.per-region"])["critical"]);
        Assert.Equal(false, ((IReadOnlyDictionary<string, object>)entry.Data["hc.per-shard"])["critical"]);
    }

    [Fact]
    public async Task A_keyed_breaker_with_more_partitions_not_closed_than_the_bound_names_the_bound_and_counts_them_all()
    {
        Assert.Equal(100, KeyedCircuitBreakerState.MaxReportedPartitions);
        KeyedCircuitBreakerState<string> breaker = Registry.GetOrAddKeyedCircuitBreaker<string>("hc.per-customer", new CircuitBreakerOptions { FailureThreshold = 1 });
        const int Open = KeyedCircuitBreakerState.MaxReportedPartitions + 50;
        for (int i = 0; i < Open; i++)
        {
            OpenPartition(breaker, $"customer-{i:D3}");
        }

        for (int i = 0; i < 20; i++)
        {
            breaker.GetPartition($"healthy-{i:D2}");
        }

        breaker.GetPartition("isolated").Isolate();

        HealthReportEntry entry = await CheckAsync(_ => { });

        var data = (IReadOnlyDictionary<string, object>)entry.Data["hc.per-customer"];
        var partitions = (IReadOnlyDictionary<string, object>)data["partitions"];
        Assert.Equal((Open, 20, 1, 0), ((int)partitions["open"], (int)partitions["closed"], (int)partitions["isolated"], (int)partitions["half-open"]));
        var notClosed = (IReadOnlyDictionary<string, object>)data["notClosed"];
        string[] named = Enumerable.Range(0, KeyedCircuitBreakerState.MaxReportedPartitions).Select(i => $"customer-{i:D3}").ToArray();
        Assert.Equal(named, notClosed.Keys.Order(StringComparer.Ordinal));
        Assert.All(notClosed.Values, state => Assert.Equal("open", state));
        Assert.Equal(KeyedCircuitBreakerState.MaxReportedPartitions, entry.Description!.Split("'hc.per-customer' for '").Length - 1);
        Assert.Contains("'hc.per-customer' for 'customer-099' is open", entry.Description);
        Assert.DoesNotContain("customer-100", entry.Description);
        Assert.EndsWith("; 51 more partition(s) of 'hc.per-customer' are not closed.", entry.Description);
    }

    [Fact]
    public async Task A_critical_keyed_breaker_is_unhealthy_when_its_only_open_partition_is_beyond_the_named_ones()
    {
        KeyedCircuitBreakerState<string> breaker = Registry.GetOrAddKeyedCircuitBreaker<string>("hc.per-account", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        for (int i = 0; i < KeyedCircuitBreakerState.MaxReportedPartitions; i++)
        {
            OpenPartition(breaker, $"a-{i:D3}");
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < KeyedCircuitBreakerState.MaxReportedPartitions; i++)
        {
            Assert.True(breaker.GetPartition($"a-{i:D3}").TryEnter(out _));
        }

        OpenPartition(breaker, "z-down");

        HealthReportEntry entry = await CheckAsync(o => o.CriticalBreakers.Add("hc.per-account"));

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("Critical circuit breakers are open: 'hc.per-account'.", entry.Description);
        var notClosed = (IReadOnlyDictionary<string, object>)((IReadOnlyDictionary<string, object>)entry.Data["hc.per-account"])["notClosed"];
        Assert.All(notClosed.Values, state => Assert.Equal("half-open", state));
        Assert.DoesNotContain("z-down", notClosed.Keys);
    }

    private static void OpenPartition(KeyedCircuitBreakerState<string> breaker, string key)
    {
        CircuitBreakerState partition = breaker.GetPartition(key);
        Assert.True(partition.TryEnter(out CircuitBreakerPermit permit));
        partition.RecordFailure(permit);
        Assert.Equal(CircuitState.Open, partition.State);
    }
}
