using System.Net;
using System.Net.Sockets;
using Garnet;

namespace Resilience.Samples.WebApi.Distributed;

/// <summary>
/// A Redis-compatible server (Microsoft Garnet) inside this process, for development when no Redis is configured. Not
/// for production: it keeps its data in memory, in this process, and stops with it.
/// </summary>
public sealed class EmbeddedRedis : IDisposable
{
    private readonly GarnetServer _server;

    private EmbeddedRedis(GarnetServer server, int port)
    {
        _server = server;
        Port = port;
    }

    /// <summary>The port it listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string that reaches it.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    /// <summary>Starts a server on <paramref name="port"/> (0: a free one).</summary>
    /// <exception cref="InvalidOperationException">The port is taken; the message says how to share the server on it instead.</exception>
    public static EmbeddedRedis Start(int port)
    {
        int chosen = port == 0 ? FreePort() : port;
        if (port != 0 && !IsFree(port))
        {
            throw new InvalidOperationException(
                $"Port {port} is taken, so no embedded Redis can start on it. If another instance of this sample listens there, share its server: "
                + $"--ConnectionStrings:redis=127.0.0.1:{port}. Otherwise choose another port with --{DistributedOptions.SectionName}:{nameof(DistributedOptions.EmbeddedPort)}=0.");
        }

        // Lua scripts run atomically (their keys locked for the run) only in Garnet's Lua transaction mode, which the
        // distributed rate limits need.
        var server = new GarnetServer(
            ["--port", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode", "--memory", "64m", "--index", "1m", "--logger-level", "Error"]);
        server.Start();
        return new EmbeddedRedis(server, chosen);
    }

    public void Dispose() => _server.Dispose();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
