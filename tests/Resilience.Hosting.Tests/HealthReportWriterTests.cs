using System.Collections;
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
    public async Task Each_check_has_its_own_duration_in_milliseconds()
    {
        var report = new HealthReport(
            new Dictionary<string, HealthReportEntry>
            {
                ["store"] = new(HealthStatus.Healthy, "The store answers.", TimeSpan.FromMilliseconds(3.456), exception: null, data: null),
            },
            TimeSpan.FromMilliseconds(12.346));

        using JsonDocument json = await WriteAsync(report);

        Assert.Equal(12.35, json.RootElement.GetProperty("durationMs").GetDouble());
        Assert.Equal(3.46, json.RootElement.GetProperty("checks").GetProperty("store").GetProperty("durationMs").GetDouble());
    }

    [Fact]
    public async Task The_report_is_indented_one_property_per_line_for_people_reading_it()
    {
        var report = new HealthReport(
            new Dictionary<string, HealthReportEntry>
            {
                ["store"] = new(HealthStatus.Healthy, "The store answers.", TimeSpan.Zero, exception: null, data: null),
            },
            TimeSpan.Zero);
        using var body = new MemoryStream();

        await ResilienceHealthReportWriter.WriteAsync(body, report);

        string[] lines = System.Text.Encoding.UTF8.GetString(body.ToArray()).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("{", lines[0]);
        Assert.Contains("  \"status\": \"Healthy\",", lines);
        Assert.Contains("      \"description\": \"The store answers.\",", lines);
    }

    [Fact]
    public async Task Dictionaries_and_lists_nested_deeper_than_eight_levels_are_written_as_their_text()
    {
        // The check's data is level 0: the dictionary and the list of level 8 are written as text, those above as JSON.
        using JsonDocument json = await WriteAsync(Report(new Dictionary<string, object>
        {
            ["dictionaries"] = Nested(9, inner => new Hashtable { ["next"] = inner }),
            ["lists"] = Nested(9, inner => new ArrayList { inner }),
            ["typed"] = Nested(9, inner => new Dictionary<string, object> { ["next"] = inner }),
        }));

        JsonElement data = json.RootElement.GetProperty("checks").GetProperty("store").GetProperty("data");
        JsonElement dictionary = data.GetProperty("dictionaries");
        JsonElement list = data.GetProperty("lists");
        JsonElement typed = data.GetProperty("typed");
        for (int level = 1; level < 8; level++)
        {
            Assert.Equal(JsonValueKind.Object, dictionary.ValueKind);
            Assert.Equal(JsonValueKind.Array, list.ValueKind);
            Assert.Equal(JsonValueKind.Object, typed.ValueKind);
            dictionary = dictionary.GetProperty("next");
            list = Assert.Single(list.EnumerateArray());
            typed = typed.GetProperty("next");
        }

        Assert.Equal(new Hashtable().ToString(), dictionary.GetString());
        Assert.Equal(new ArrayList().ToString(), list.GetString());
        Assert.Equal(new Dictionary<string, object>().ToString(), typed.GetString());
    }

    [Fact]
    public async Task A_dictionary_key_without_text_is_written_as_an_empty_name()
    {
        using JsonDocument json = await WriteAsync(Report(new Dictionary<string, object>
        {
            ["byKey"] = new Hashtable { [new KeyWithoutText()] = 1 },
        }));

        JsonElement byKey = json.RootElement.GetProperty("checks").GetProperty("store").GetProperty("data").GetProperty("byKey");
        Assert.Equal(1, byKey.GetProperty(string.Empty).GetInt32());
        Assert.Single(byKey.EnumerateObject());
    }

    /// <summary>A report of one check, "store", with this data.</summary>
    private static HealthReport Report(IReadOnlyDictionary<string, object> data)
        => new(
            new Dictionary<string, HealthReportEntry>
            {
                ["store"] = new(HealthStatus.Healthy, "The store answers.", TimeSpan.Zero, exception: null, data: data),
            },
            TimeSpan.Zero);

    /// <summary><paramref name="levels"/> collections, each made by <paramref name="wrap"/> around the next; the innermost holds 1.</summary>
    private static object Nested(int levels, Func<object, object> wrap)
    {
        object value = 1;
        for (int i = 0; i < levels; i++)
        {
            value = wrap(value);
        }

        return value;
    }

    /// <summary>A key whose text is null.</summary>
    private sealed class KeyWithoutText
    {
        public override string? ToString() => null;
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
