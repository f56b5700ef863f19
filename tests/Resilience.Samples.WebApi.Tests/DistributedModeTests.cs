using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Resilience.Redis.Tests;
using Resilience.Samples.WebApi.Clients;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Resilience.Samples.WebApi.Tests;

/// <summary>
/// Two instances of the sample, each its own process on its own Kestrel port, as README.md runs them: the first starts
/// the embedded Garnet and says so, the second shares it, or both are given a real <c>redis-server</c>; a breaker opened
/// on one rejects on the other, and a rate limit holds across both.
/// </summary>
public sealed class DistributedModeTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ITestOutputHelper _output;
    private readonly List<SampleProcess> _processes = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public DistributedModeTests(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await StopInstancesAsync();
    }

    // Seven video calls a minute across both instances; a long operation timeout, so that a busy machine's slow first
    // script run is not decided locally.
    private static readonly string[] s_shared = ["--Downstream:Mode=healthy", "--Resilience:video-api:Permits=7", "--Resilience:video-api:WindowMs=60000", "--Distributed:OperationTimeoutMs=5000"];

    [Fact]
    public async Task Two_instances_share_an_open_breaker_and_a_rate_limit_through_the_embedded_garnet()
    {
        int garnetPort = FreePort();
        SampleProcess first = await StartAsync([.. s_shared, $"--Distributed:EmbeddedPort={garnetPort}"]);
        Assert.Contains($"an embedded Garnet server (development only) listens on 127.0.0.1:{garnetPort}", first.Output);
        SampleProcess second = await StartAsync([.. s_shared, $"--ConnectionStrings:redis=127.0.0.1:{garnetPort}"]);
        Assert.Contains("using the Redis of ConnectionStrings:redis", second.Output);

        await ShareABreakerAndARateLimitAsync(first, second);
    }

    [SkippableFact]
    public async Task Two_instances_share_an_open_breaker_and_a_rate_limit_through_a_real_redis_server()
    {
        // Skipped with the install command when redis-server is missing; failed then under RESILIENCE_REQUIRE_REAL_COMPONENTS=1.
        await using TestServer redis = await TestServer.StartAsync(ServerKind.Redis);
        SampleProcess first = await StartAsync([.. s_shared, $"--ConnectionStrings:redis={redis.Endpoint}"]);
        SampleProcess second = await StartAsync([.. s_shared, $"--ConnectionStrings:redis={redis.Endpoint}"]);
        Assert.All(new[] { first, second }, instance =>
        {
            Assert.Contains("using the Redis of ConnectionStrings:redis", instance.Output);
            Assert.DoesNotContain("embedded Garnet", instance.Output);
        });

        await ShareABreakerAndARateLimitAsync(first, second);

        // What they shared is in that server, under the sample's key prefix: the breaker's state and the video quota.
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        string[] keys = connection.GetServer(redis.Endpoint).Keys(pattern: "resilience-sample:*").Select(k => (string)k!).ToArray();
        Assert.Contains(keys, k => k.Contains("orders-db", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.Contains("video-api", StringComparison.Ordinal));

        // The instances stop before the server does.
        await StopInstancesAsync();
    }

    /// <summary>
    /// The database fails for <paramref name="first"/> only and its breaker opens there; <paramref name="second"/>
    /// rejects too. Then the video quota of seven is spent across both: five permits are left after one call each.
    /// </summary>
    private async Task ShareABreakerAndARateLimitAsync(SampleProcess first, SampleProcess second)
    {
        // The database fails for the first instance only; its breaker opens there (4 failed attempts), and the second,
        // whose database answers, rejects too.
        (await _http.PostAsync(first.Url("/downstream/orders-db/mode/failing"), null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.BadGateway, (await _http.GetAsync(first.Url("/api/orders/42"))).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync(first.Url("/api/orders/42"))).StatusCode);
        await Eventually(async () =>
        {
            using HttpResponseMessage response = await _http.GetAsync(second.Url("/api/orders/42"));
            return response.StatusCode == HttpStatusCode.ServiceUnavailable
                && response.Headers.TryGetValues("X-Circuit-Breaker", out IEnumerable<string>? names) && names.Contains("orders-db");
        });

        // One call each first (the scripts load), then ten at once on each instance: 5 permits were left in all.
        Assert.False(await IsPlaceholderAsync(first, "warm-1"));
        Assert.False(await IsPlaceholderAsync(second, "warm-2"));
        bool[] placeholders = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => IsPlaceholderAsync(i % 2 == 0 ? first : second, "v" + i)));
        Assert.Equal(5, placeholders.Count(p => !p));
    }

    private async Task StopInstancesAsync()
    {
        foreach (SampleProcess process in _processes)
        {
            await process.DisposeAsync();
            _output.WriteLine(process.Output);
        }

        _processes.Clear();
    }

    private async Task<bool> IsPlaceholderAsync(SampleProcess instance, string id)
    {
        Video? video = await _http.GetFromJsonAsync<Video>(instance.Url("/api/videos/" + id));
        return Assert.IsType<Video>(video).Placeholder;
    }

    private async Task<SampleProcess> StartAsync(string[] arguments)
    {
        var process = SampleProcess.Start(FreePort(), arguments);
        _processes.Add(process);
        await Eventually(async () =>
        {
            Assert.False(process.HasExited, "The sample stopped: " + process.Output);
            try
            {
                return (await _http.GetAsync(process.Url("/health/live"))).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        });
        return process;
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Patience, $"The condition did not hold within {Patience.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The sample's own build output run as a separate process, with its console output kept.</summary>
    private sealed class SampleProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();

        private SampleProcess(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public bool HasExited => _process.HasExited;

        public string Output => string.Join(Environment.NewLine, _lines);

        public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

        public static SampleProcess Start(int port, IEnumerable<string> arguments)
        {
            // The sample's build output sits beside the test's: bin/{Configuration}/{TargetFramework} of its project.
            string sampleAssembly = typeof(Program).Assembly.Location;
            string directory = Path.GetDirectoryName(sampleAssembly)!;
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(sampleAssembly);
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add($"http://127.0.0.1:{port}");
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            start.Environment["DOTNET_NOLOGO"] = "1";
            var process = new Process { StartInfo = start };
            var sample = new SampleProcess(process, port);
            process.OutputDataReceived += (_, e) => sample.Keep(e.Data);
            process.ErrorDataReceived += (_, e) => sample.Keep(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return sample;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        private void Keep(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue(line);
            }
        }
    }
}
