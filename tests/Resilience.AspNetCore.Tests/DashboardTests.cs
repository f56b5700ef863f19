using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Monitoring.Tests;
using Xunit.Abstractions;

namespace Resilience.AspNetCore.Tests;

/// <summary><c>app.MapResilienceDashboard("/resilience")</c>: the page, its data, and the page in a real headless browser.</summary>
public sealed class DashboardTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _breaker = $"dashboard-breaker-{Guid.NewGuid():N}";
    private WebApplication? _app;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
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
