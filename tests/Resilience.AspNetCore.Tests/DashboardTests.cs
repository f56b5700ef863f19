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
        Assert.Equal(2, state.GetProperty("used").GetInt32());
        Assert.Equal(0, state.GetProperty("remaining").GetInt32());
        Assert.Equal(1, state.GetProperty("queued").GetInt32());
        Assert.Equal(3, state.GetProperty("rejections").GetInt64());
        double retryAfter = state.GetProperty("retryAfterSeconds").GetDouble();
        Assert.InRange(retryAfter, double.Epsilon, 1.0);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(AppTest.HangGuard));
    }

    [Fact]
    public async Task The_state_shows_the_permits_a_rate_limit_has_used_and_left_in_its_window()
    {
        var clock = new FakeTimeProvider();
        UseClock(clock);
        HttpClient client = await StartAsync(kestrel: false);
        string name = $"{_breaker}-rate-limit";
        RateLimiterState limit = ResilienceRegistry.Default.GetOrAddRateLimiter(name, new RateLimitOptions { Permits = 5, WindowMs = 1_000 });
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());

        JsonElement used = await PolicyStateAsync(client, "rateLimits", name);
        clock.Advance(TimeSpan.FromSeconds(1));
        JsonElement nextWindow = await PolicyStateAsync(client, "rateLimits", name);

        Assert.Equal((2, 3), (used.GetProperty("used").GetInt32(), used.GetProperty("remaining").GetInt32()));
        Assert.Equal((0, 5), (nextWindow.GetProperty("used").GetInt32(), nextWindow.GetProperty("remaining").GetInt32()));
    }

    [Fact]
    public async Task The_state_counts_a_keyed_rate_limits_keys_those_with_no_permit_left_its_queue_and_rejections_without_a_key()
    {
        UseClock(new FakeTimeProvider());
        HttpClient client = await StartAsync(kestrel: false);
        string name = $"{_breaker}-per-caller";
        KeyedRateLimiterState<string> keyed = ResilienceRegistry.Default.GetOrAddKeyedRateLimiter<string>(
            name, new RateLimitOptions { Permits = 2, WindowMs = 60_000, QueueLimit = 1 });
        using var cancel = new CancellationTokenSource();
        RateLimiterState alice = keyed.GetPartition("caller-alice");
        Assert.True(alice.TryAcquire());
        Assert.True(alice.TryAcquire());
        Task<bool> waiting = alice.AcquireAsync(cancel.Token).AsTask();
        Assert.False(await alice.AcquireAsync(cancel.Token));
        Assert.False(await alice.AcquireAsync(cancel.Token));
        Assert.True(keyed.GetPartition("caller-bob").TryAcquire());
        keyed.GetPartition("caller-carol");

        string json = await client.GetStringAsync("/ops/resilience/state");
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement state = document.RootElement.GetProperty("keyedRateLimits").EnumerateArray().Single(l => l.GetProperty("name").GetString() == name);

        Assert.Equal(2, state.GetProperty("permits").GetInt32());
        Assert.Equal(60_000, state.GetProperty("windowMs").GetInt32());
        Assert.Equal(3, state.GetProperty("partitions").GetInt32());
        Assert.Equal(1, state.GetProperty("exhausted").GetInt32());
        Assert.Equal(1, state.GetProperty("queued").GetInt32());
        Assert.Equal(2, state.GetProperty("rejections").GetInt64());
        Assert.DoesNotContain("caller-", json, StringComparison.Ordinal);
        Assert.DoesNotContain(name, document.RootElement.GetProperty("rateLimits").EnumerateArray().Select(l => l.GetProperty("name").GetString()));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(AppTest.HangGuard));
    }

    [RealComponentFact("chromium", "chromium")]
    public async Task In_a_headless_browser_the_open_page_shows_a_breaker_opening_without_being_loaded_again()
    {
        string chromium = RealComponent.Require("chromium", "chromium");
        CircuitBreakerState breaker = Breaker();
        string limitName = $"{_breaker}-rate-limit";
        RateLimiterState limit = ResilienceRegistry.Default.GetOrAddRateLimiter(limitName, new RateLimitOptions { Permits = 3, WindowMs = 600_000 });
        Assert.True(limit.TryAcquire());
        var served = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int pageLoads = 0;
        // The server changes the state once the page has read it for the first time: only the page's own refresh,
        // two seconds later, can show the breaker open.
        HttpClient client = await StartAsync(kestrel: true, afterRequest: path =>
        {
            if (path == "/ops/resilience")
            {
                Interlocked.Increment(ref pageLoads);
            }
            else if (path == "/ops/resilience/state")
            {
                served.Enqueue(breaker.State.ToString());
                if (served.Count == 1)
                {
                    Fail(breaker, 3);
                }
            }
        });
        string page = new Uri(client.BaseAddress!, "/ops/resilience").ToString();

        // One load of the page; chromium's virtual clock runs its two-second timer without waiting for it.
        string dom = await DumpDomAsync(chromium, page);

        Assert.Equal(1, pageLoads);
        Assert.True(served.Count >= 2, $"The page read its state {served.Count} time(s): it did not refresh itself.");
        Assert.Equal(nameof(CircuitState.Open), served.Last());
        Assert.Contains("data-loaded=\"true\"", dom, StringComparison.Ordinal);
        Assert.Contains(Row(_breaker, "open"), dom, StringComparison.Ordinal);
        Assert.DoesNotContain(Row(_breaker, "closed"), dom, StringComparison.Ordinal);
        Assert.Contains("100.0 %", dom, StringComparison.Ordinal);
        Assert.Contains($"<tr data-policy=\"{limitName}\"><td>{limitName}</td><td>3 per 10 min 0 s</td><td>1 / 3<span class=\"bar\" style=\"width: 1rem;\"></span></td><td>2</td>", dom, StringComparison.Ordinal);

        string screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "resilience-dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        await RunChromiumAsync(chromium, "--window-size=1280,900", $"--screenshot={screenshot}", page);
        byte[] png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 1_000 && png[..4].SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), $"{screenshot} is not a PNG image.");
        output.WriteLine($"Screenshot of the dashboard: {screenshot}");
    }

    [RealComponentFact("chromium", "chromium")]
    public async Task In_a_headless_browser_a_page_whose_state_does_not_change_shows_it_closed()
    {
        string chromium = RealComponent.Require("chromium", "chromium");
        Breaker();
        HttpClient client = await StartAsync(kestrel: true);

        string dom = await DumpDomAsync(chromium, new Uri(client.BaseAddress!, "/ops/resilience").ToString());

        Assert.Contains(Row(_breaker, "closed"), dom, StringComparison.Ordinal);
    }

    /// <summary>The start of the row of <paramref name="policy"/> in the dashboard's DOM, with its state's badge.</summary>
    private static string Row(string policy, string state)
        => $"<tr data-policy=\"{policy}\"><td>{policy}</td><td><span class=\"state {state}\">{state}</span></td>";

    /// <summary>Starts the application; <paramref name="afterRequest"/> is told the path of each request once it is answered.</summary>
    private async Task<HttpClient> StartAsync(bool kestrel, bool map = true, Action<string>? afterRequest = null)
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
        if (afterRequest is not null)
        {
            _app.Use(async (context, next) =>
            {
                string path = context.Request.Path.Value ?? string.Empty;
                await next(context);
                afterRequest(path);
            });
        }

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
