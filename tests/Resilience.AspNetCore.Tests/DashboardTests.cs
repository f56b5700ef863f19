using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resilience.Monitoring.Tests;
using Xunit.Abstractions;

namespace Resilience.AspNetCore.Tests;

/// <summary><c>app.MapResilienceDashboard("/resilience")</c>: the page, its data, and the page in a real headless browser.</summary>
public sealed class DashboardTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _breaker = $"dashboard-breaker-{Guid.NewGuid():N}";
    private WebApplication? _app;
    private bool _resetRegistry;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_resetRegistry)
        {
            ResilienceRegistry.Default.Reset();
        }
    }

    [Fact]
    public async Task Nothing_is_served_unless_the_dashboard_is_mapped()
    {
        HttpClient client = await StartAsync(kestrel: false, map: false);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/resilience")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/resilience/state")).StatusCode);
    }

    [Fact]
    public async Task The_page_is_self_contained_and_reads_its_state_from_under_its_own_path()
    {
        HttpClient client = await StartAsync(kestrel: false);

        HttpResponseMessage response = await client.GetAsync("/ops/resilience");
        string html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("data-state-url=\"/ops/resilience/state\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_state_shows_a_breaker_opening_after_failures_with_its_counts()
    {
        HttpClient client = await StartAsync(kestrel: false);
        CircuitBreakerState breaker = Breaker();
        Assert.Equal("closed", (await BreakerStateAsync(client)).GetProperty("state").GetString());

        Fail(breaker, 3);

        JsonElement state = await BreakerStateAsync(client);
        Assert.Equal("open", state.GetProperty("state").GetString());
        Assert.Equal(3, state.GetProperty("failures").GetInt64());
        Assert.Equal(3, state.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal(1.0, state.GetProperty("errorRate").GetDouble());
        Assert.True(state.GetProperty("timeInStateSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task The_state_is_json_that_is_neither_sniffed_nor_cached()
    {
        HttpClient client = await StartAsync(kestrel: false);

        HttpResponseMessage response = await client.GetAsync("/ops/resilience/state");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.CacheControl?.NoStore, "The state is sent without Cache-Control: no-store.");
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_state_says_when_it_was_taken_and_counts_a_breakers_calls_successes_and_rejections()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 30, 15, TimeSpan.Zero));
        UseClock(clock);
        HttpClient client = await StartAsync(kestrel: false);
        CircuitBreakerState breaker = Breaker();
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordSuccess(permit);
        Fail(breaker, 3);
        Assert.False(breaker.TryEnter(out _));

        using JsonDocument document = JsonDocument.Parse(await client.GetStringAsync("/ops/resilience/state"));
        JsonElement state = document.RootElement.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("name").GetString() == _breaker);

        Assert.Equal(clock.GetUtcNow(), document.RootElement.GetProperty("takenAt").GetDateTimeOffset());
        Assert.Equal(4, state.GetProperty("calls").GetInt64()); // those that reached the operation: not the rejection
        Assert.Equal(1, state.GetProperty("successes").GetInt64());
        Assert.Equal(3, state.GetProperty("failures").GetInt64());
        Assert.Equal(1, state.GetProperty("rejections").GetInt64());
    }

    [Fact]
    public async Task The_state_counts_a_keyed_breakers_partitions_in_each_state()
    {
        var clock = new FakeTimeProvider();
        UseClock(clock);
        HttpClient client = await StartAsync(kestrel: false);
        KeyedCircuitBreakerState<string> keyed = ResilienceRegistry.Default.GetOrAddKeyedCircuitBreaker<string>(
            $"{_breaker}-per-host", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000 });
        Fail(keyed.GetPartition("probing"), 1);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(keyed.GetPartition("probing").TryEnter(out _));
        Fail(keyed.GetPartition("open"), 1);
        keyed.GetPartition("isolated").Isolate();
        keyed.GetPartition("closed-1");
        keyed.GetPartition("closed-2");

        using JsonDocument document = JsonDocument.Parse(await client.GetStringAsync("/ops/resilience/state"));
        JsonElement partitions = document.RootElement.GetProperty("keyedBreakers").EnumerateArray()
            .Single(b => b.GetProperty("name").GetString() == $"{_breaker}-per-host").GetProperty("partitions");

        Assert.Equal(2, partitions.GetProperty("closed").GetInt32());
        Assert.Equal(1, partitions.GetProperty("open").GetInt32());
        Assert.Equal(1, partitions.GetProperty("half-open").GetInt32());
        Assert.Equal(1, partitions.GetProperty("isolated").GetInt32());
        Assert.DoesNotContain("closed-1", document.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_state_shows_a_bulkheads_slots_queue_and_rejections()
    {
        UseClock(new FakeTimeProvider());
        HttpClient client = await StartAsync(kestrel: false);
        string name = $"{_breaker}-bulkhead";
        BulkheadState bulkhead = ResilienceRegistry.Default.GetOrAddBulkhead(name, new BulkheadOptions { MaxConcurrency = 3, MaxQueue = 1, MaxWaitMs = 60_000 });
        using var cancel = new CancellationTokenSource();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(bulkhead.TryEnter());
        }

        Task<bool> waiting = bulkhead.EnterAsync(cancel.Token).AsTask();
        Assert.False(await bulkhead.EnterAsync(cancel.Token));
        Assert.False(await bulkhead.EnterAsync(cancel.Token));

        JsonElement state = await PolicyStateAsync(client, "bulkheads", name);

        Assert.Equal(3, state.GetProperty("active").GetInt32());
        Assert.Equal(3, state.GetProperty("maxConcurrency").GetInt32());
        Assert.Equal(1, state.GetProperty("queued").GetInt32());
        Assert.Equal(1, state.GetProperty("maxQueue").GetInt32());
        Assert.Equal(2, state.GetProperty("rejections").GetInt64());
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(AppTest.HangGuard));
    }

    [Fact]
    public async Task The_state_shows_a_rate_limits_permits_window_queue_rejections_and_wait()
    {
        UseClock(new FakeTimeProvider());
        HttpClient client = await StartAsync(kestrel: false);
        string name = $"{_breaker}-rate-limit";
        RateLimiterState limit = ResilienceRegistry.Default.GetOrAddRateLimiter(name, new RateLimitOptions { Permits = 2, WindowMs = 1_000, QueueLimit = 1 });
        using var cancel = new CancellationTokenSource();
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        Task<bool> waiting = limit.AcquireAsync(cancel.Token).AsTask();
        Assert.False(await limit.AcquireAsync(cancel.Token));
        Assert.False(await limit.AcquireAsync(cancel.Token));
        Assert.False(await limit.AcquireAsync(cancel.Token));

        JsonElement state = await PolicyStateAsync(client, "rateLimits", name);

        Assert.Equal(2, state.GetProperty("permits").GetInt32());
        Assert.Equal(1_000, state.GetProperty("windowMs").GetInt32());
        Assert.Equal(1, state.GetProperty("queued").GetInt32());
        Assert.Equal(3, state.GetProperty("rejections").GetInt64());
        double retryAfter = state.GetProperty("retryAfterSeconds").GetDouble();
        Assert.InRange(retryAfter, double.Epsilon, 1.0);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(AppTest.HangGuard));
    }

    [RealComponentFact("chromium", "chromium")]
    public async Task In_a_headless_browser_the_page_shows_a_breaker_opening_after_failures()
    {
        string chromium = RealComponent.Require("chromium", "chromium");
        HttpClient client = await StartAsync(kestrel: true);
        string page = new Uri(client.BaseAddress!, "/ops/resilience").ToString();
        CircuitBreakerState breaker = Breaker();

        string before = await DumpDomAsync(chromium, page);
        Fail(breaker, 3);
        string after = await DumpDomAsync(chromium, page);
        string screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "resilience-dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        await RunChromiumAsync(chromium, "--window-size=1280,900", $"--screenshot={screenshot}", page);

        Assert.Contains("data-loaded=\"true\"", before, StringComparison.Ordinal);
        Assert.Contains(Row(_breaker, "closed"), before, StringComparison.Ordinal);
        Assert.Contains(Row(_breaker, "open"), after, StringComparison.Ordinal);
        Assert.Contains("100.0 %", after, StringComparison.Ordinal);
        byte[] png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 1_000 && png[..4].SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), $"{screenshot} is not a PNG image.");
        output.WriteLine($"Screenshot of the dashboard: {screenshot}");
    }

    /// <summary>The start of the row of <paramref name="policy"/> in the dashboard's DOM, with its state's badge.</summary>
    private static string Row(string policy, string state)
        => $"<tr data-policy=\"{policy}\"><td>{policy}</td><td><span class=\"state {state}\">{state}</span></td>";

    private async Task<HttpClient> StartAsync(bool kestrel, bool map = true)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        if (kestrel)
        {
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        _app = builder.Build();
        if (map)
        {
            _app.MapResilienceDashboard("/ops/resilience");
        }

        await _app.StartAsync();
        if (!kestrel)
        {
            return _app.GetTestClient();
        }

        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new HttpClient { BaseAddress = new Uri(address) };
    }

    /// <summary>Puts <paramref name="clock"/> under the policies, on a reset registry that <see cref="DisposeAsync"/> resets again.</summary>
    private void UseClock(TimeProvider clock)
    {
        ResilienceRegistry.Default.Reset();
        ResilienceRegistry.Default.TimeProvider = clock;
        _resetRegistry = true;
    }

    private static async Task<JsonElement> PolicyStateAsync(HttpClient client, string kind, string name)
    {
        using JsonDocument state = JsonDocument.Parse(await client.GetStringAsync("/ops/resilience/state"));
        return state.RootElement.GetProperty(kind).EnumerateArray().Single(p => p.GetProperty("name").GetString() == name).Clone();
    }

    private CircuitBreakerState Breaker()
        => ResilienceRegistry.Default.GetOrAddCircuitBreaker(_breaker, new CircuitBreakerOptions { FailureThreshold = 3, BreakDurationMs = 60_000 });

    private static void Fail(CircuitBreakerState breaker, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            breaker.RecordFailure(permit);
        }
    }

    private async Task<JsonElement> BreakerStateAsync(HttpClient client)
    {
        using JsonDocument state = JsonDocument.Parse(await client.GetStringAsync("/ops/resilience/state"));
        return state.RootElement.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("name").GetString() == _breaker).Clone();
    }

    private static async Task<string> DumpDomAsync(string chromium, string page)
        => await RunChromiumAsync(chromium, "--dump-dom", page);

    /// <summary>Runs headless chromium on <paramref name="arguments"/>, with time for the page's first read of its state.</summary>
    private static async Task<string> RunChromiumAsync(string chromium, params string[] arguments)
    {
        string profile = Path.Combine(Path.GetTempPath(), $"resilience-chromium-{Guid.NewGuid():N}");
        try
        {
            (int exitCode, string output) = await RealComponent.RunAsync(
                chromium,
                ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile}", "--virtual-time-budget=5000", .. arguments]);
            Assert.True(exitCode == 0, $"chromium exited with {exitCode}:\n{output}");
            return output;
        }
        finally
        {
            if (Directory.Exists(profile))
            {
                Directory.Delete(profile, recursive: true);
            }
        }
    }
}
