using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.Hosting.Tests;

/// <summary><see cref="ResilienceHealthReportWriter"/>: the report of the resilience check as JSON, breaker by breaker.</summary>
public sealed class HealthReportWriterTests : HostingTest
{
    [Fact]
    public async Task The_report_lists_each_breaker_with_its_state_counts_error_rate_and_time_in_state()
    {
        Registry.TimeProvider = Clock;
        JsonDocument json;
        try
        {
            Assert.Equal(42, await Dependency.DatabaseAsync(CancellationToken.None));
            Dependency.Behaviour = Dependency.Fail;
            await FailAsync(Dependency.DatabaseAsync);
            Clock.Advance(TimeSpan.FromSeconds(0.5));

            json = await WriteAsync(await CheckAsync(o => o.CriticalBreakers.Add(Names.DatabaseBreaker)));
        }
        finally
        {
            Registry.TimeProvider = TimeProvider.System;
        }

        using JsonDocument disposed = json;

        JsonElement root = json.RootElement;
        Assert.Equal("Unhealthy", root.GetProperty("status").GetString());
        JsonElement check = root.GetProperty("checks").GetProperty("resilience");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Contains($"'{Names.DatabaseBreaker}' is open", check.GetProperty("description").GetString(), StringComparison.Ordinal);
        JsonElement database = check.GetProperty("data").GetProperty(Names.DatabaseBreaker);
        Assert.Equal("open", database.GetProperty("state").GetString());
        Assert.True(database.GetProperty("critical").GetBoolean());
        Assert.Equal(2, database.GetProperty("calls").GetInt64());
        Assert.Equal(1, database.GetProperty("failures").GetInt64());
        Assert.Equal(0.5, database.GetProperty("errorRate").GetDouble());
        Assert.Equal(0.5, database.GetProperty("timeInState").GetDouble());
        Assert.Equal(JsonValueKind.String, database.GetProperty("lastFailureTime").ValueKind);
    }

    [Fact]
    public async Task A_failed_check_shows_its_error_and_nested_data_is_written_as_objects_and_arrays()
    {
        var report = new HealthReport(
            new Dictionary<string, HealthReportEntry>
            {
                ["store"] = new(
                    HealthStatus.Unhealthy,
                    "The store does not answer.",
                    TimeSpan.FromMilliseconds(12.346),
                    new TimeoutException("No answer in 5 s."),
                    new Dictionary<string, object>
                    {
                        ["hosts"] = new[] { "a", "b" },
                        ["byState"] = new Dictionary<string, int> { ["open"] = 2 },
                        ["ratio"] = double.NaN,
                        ["kind"] = HealthStatus.Degraded,
                    }),
            },
            TimeSpan.FromMilliseconds(12.346));

        using JsonDocument json = await WriteAsync(report);

        JsonElement store = json.RootElement.GetProperty("checks").GetProperty("store");
        Assert.Equal(12.35, json.RootElement.GetProperty("durationMs").GetDouble());
        Assert.Equal("No answer in 5 s.", store.GetProperty("error").GetString());
        JsonElement data = store.GetProperty("data");
        Assert.Equal(["a", "b"], data.GetProperty("hosts").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, data.GetProperty("byState").GetProperty("open").GetInt32());
        Assert.Equal("NaN", data.GetProperty("ratio").GetString());
        Assert.Equal("Degraded", data.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Null_arguments_are_refused_with_their_name()
    {
        ArgumentNullException error = await Assert.ThrowsAsync<ArgumentNullException>(() => ResilienceHealthReportWriter.WriteAsync(new MemoryStream(), null!));
        Assert.Equal("report", error.ParamName);
    }

    private static async Task<JsonDocument> WriteAsync(HealthReport report)
    {
        using var body = new MemoryStream();
        await ResilienceHealthReportWriter.WriteAsync(body, report);
        body.Position = 0;
        return await JsonDocument.ParseAsync(body);
    }

    private static async Task<HealthReport> CheckAsync(Action<ResilienceHealthCheckOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddResilienceHealthChecks(configure);
        await using ServiceProvider provider = services.BuildServiceProvider();
        return await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(HangGuard);
    }
}
