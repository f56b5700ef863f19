using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Resilience.Hosting.Tests.Http;

/// <summary>What one request brought to a <see cref="LoopbackServer"/>.</summary>
/// <param name="Number">Its rank among the server's requests, from 1, in order of arrival.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Body">The whole request body, read before the response was written.</param>
/// <param name="ContentType">The body's <c>Content-Type</c> header, if any.</param>
/// <param name="IdempotencyKey">The <c>Idempotency-Key</c> header, if any.</param>
/// <param name="ArrivedAt">When it arrived, measured from the server's start on the monotonic clock.</param>
/// <param name="ConnectionId">The Kestrel connection it came on.</param>
public sealed record ReceivedRequest(int Number, string Method, byte[] Body, string? ContentType, string? IdempotencyKey, TimeSpan ArrivedAt, string ConnectionId);

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a port the system chooses, answering every request with the test's
/// delegate, which is given the request's rank (1 for the first). It records what arrived, so that a test asserts
/// on what the server saw rather than on what the client says it sent.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private int _arrivals;

    private LoopbackServer(Func<HttpContext, int, Task> respond)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        // A response held on purpose ends at the server's stop at the latest (see HoldUntilClientLeavesAsync).
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = HostingTest.HangGuard);
        _app = builder.Build();
        _app.Run(async context =>
        {
            int number = Interlocked.Increment(ref _arrivals);
            TimeSpan arrivedAt = Stopwatch.GetElapsedTime(_startedAt);
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            string? idempotencyKey = context.Request.Headers.TryGetValue(HttpRequests.IdempotencyKeyHeader, out var key) ? key.ToString() : null;
            _received.Enqueue(new ReceivedRequest(number, context.Request.Method, body.ToArray(), context.Request.ContentType, idempotencyKey, arrivedAt, context.Connection.Id));
            await respond(context, number);
        });
    }

    /// <summary>The address clients are given, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>
    /// The name of this server's partition of a breaker kept per host, <c>http://127.0.0.1:port</c>, written here from
    /// the address Kestrel bound rather than by <see cref="HttpAuthority"/>, which is under test.
    /// </summary>
    public string Authority => BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>How many requests have arrived so far, including those still being answered.</summary>
    public int Arrivals => Volatile.Read(ref _arrivals);

    /// <summary>The requests whose bodies have been read, in order of arrival.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => _received.OrderBy(r => r.Number).ToArray();

    /// <summary>Starts a server that answers every request with <paramref name="respond"/>.</summary>
    /// <param name="respond">Writes the response to a request, given its rank from 1.</param>
    public static async Task<LoopbackServer> StartAsync(Func<HttpContext, int, Task> respond)
    {
        var server = new LoopbackServer(respond);
        await server._app.StartAsync().WaitAsync(HostingTest.HangGuard);
        string address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseAddress = new Uri(address + "/");
        return server;
    }

    /// <summary>Starts a server that answers the request of rank n with the status <paramref name="statusOf"/>(n) and no body.</summary>
    public static Task<LoopbackServer> StartAsync(Func<int, int> statusOf)
        => StartAsync((context, number) =>
        {
            context.Response.StatusCode = statusOf(number);
            return Task.CompletedTask;
        });

    /// <summary>Holds the response until the client gives up on the request (or the server stops), as a server that hangs does.</summary>
    public static async Task HoldUntilClientLeavesAsync(HttpContext context)
    {
        CancellationToken stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var leftOrStopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, leftOrStopping.Token);
        }
        catch (OperationCanceledException)
        {
            // The client timed out, or the test is over.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(HostingTest.HangGuard);
        await _app.DisposeAsync();
    }
}
