using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Garnet;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>
/// A Redis-compatible server on a free loopback port, owned by the tests: an embedded Garnet, or a <c>redis-server</c>
/// process without persistence. It can be stopped and started again on the same port, to test what callers see while
/// it is gone.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    /// <summary>Set to 1 (CI does) to make a missing or failing real component fail its tests instead of skipping them.</summary>
    public const string RequireVariable = "RESILIENCE_REQUIRE_REAL_COMPONENTS";

    private const string RedisCommand = "redis-server";

    private GarnetServer? _garnet;
    private Process? _redis;

    private TestServer(ServerKind kind, int port)
    {
        Kind = kind;
        Port = port;
    }

    public ServerKind Kind { get; }

    public int Port { get; }

    public string Endpoint => "127.0.0.1:" + Port;

    public static bool RealComponentsRequired => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>Starts a server of <paramref name="kind"/>; skips the test (or fails it, see <see cref="RequireVariable"/>) when a real one cannot be had.</summary>
    public static async Task<TestServer> StartAsync(ServerKind kind)
    {
        var server = new TestServer(kind, FreePort());
        if (kind == ServerKind.Redis)
        {
            server.RedisPath = RedisServerPath();
        }

        await server.StartAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Where <c>redis-server</c> is; skips the test (or fails it, see <see cref="RequireVariable"/>) when it is not on PATH.</summary>
    public static string RedisServerPath()
    {
        string? path = FindOnPath(RedisCommand);
        if (path is null)
        {
            string reason = "redis-server is not on PATH, so this test cannot run against a real Redis; install it with `apt-get install redis-server` (CI does).";
            if (RealComponentsRequired)
            {
                throw new InvalidOperationException(reason + $" {RequireVariable}=1 makes this a failure.");
            }

            throw new SkipException(reason);
        }

        return path;
    }

    /// <summary>A free TCP port on the loopback interface.</summary>
    public static int FreeLoopbackPort() => FreePort();

    private string? RedisPath { get; set; }

    /// <summary>A new connection that keeps trying to reconnect while the server is down.</summary>
    public ConnectionMultiplexer Connect()
        => ConnectionMultiplexer.Connect(new ConfigurationOptions
        {
            EndPoints = { Endpoint },
            AbortOnConnectFail = false,
            ConnectTimeout = 8_000,
            SyncTimeout = 8_000,
            AsyncTimeout = 8_000,
            ReconnectRetryPolicy = new LinearRetry(100),
        });

    /// <summary>Starts the server (again) on its port, and waits until it answers.</summary>
    public async Task StartAsync()
    {
        if (Kind == ServerKind.Garnet)
        {
            // Garnet runs Lua scripts atomically (keys locked for the script's run) only in its Lua transaction mode.
            _garnet = new GarnetServer(["--port", Port.ToString(), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode", "--memory", "64m", "--index", "1m", "--logger-level", "Error"]);
            _garnet.Start();
        }
        else
        {
            var start = new ProcessStartInfo(RedisPath!)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
            {
                start.ArgumentList.Add(argument);
            }

            _redis = Process.Start(start) ?? throw new InvalidOperationException($"{RedisPath} did not start.");
            _redis.OutputDataReceived += (_, _) => { };
            _redis.ErrorDataReceived += (_, _) => { };
            _redis.BeginOutputReadLine();
            _redis.BeginErrorReadLine();
        }

        await WaitUntilAnsweringAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the server; connections to it fail until <see cref="StartAsync()"/>.</summary>
    public async Task StopAsync()
    {
        if (_garnet is not null)
        {
            _garnet.Dispose();
            _garnet = null;
        }

        if (_redis is not null)
        {
            _redis.Kill(entireProcessTree: true);
            await _redis.WaitForExitAsync().ConfigureAwait(false);
            _redis.Dispose();
            _redis = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task WaitUntilAnsweringAsync()
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_redis is { HasExited: true })
            {
                throw new InvalidOperationException($"redis-server exited with code {_redis.ExitCode} on port {Port}.");
            }

            try
            {
                using ConnectionMultiplexer probe = await ConnectionMultiplexer.ConnectAsync($"{Endpoint},connectTimeout=500").ConfigureAwait(false);
                await probe.GetDatabase().PingAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                last = e;
                await Task.Delay(50).ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException($"The {Kind} server on port {Port} did not answer within 10 s.", last);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string command)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
