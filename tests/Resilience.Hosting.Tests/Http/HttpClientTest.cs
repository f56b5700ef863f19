using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Hosting.Tests.Http;

/// <summary>
/// The base of the tests of clients of <c>IHttpClientFactory</c> with a resilient handler, against
/// <see cref="LoopbackServer"/>s: the container of an application, built from a real <see cref="ServiceCollection"/>.
/// </summary>
/// <remarks>
/// No host is built: a host would give the registry the container's clock, and these calls go over real sockets on
/// the real clock. A test that drives a breaker's clock sets <see cref="ResilienceRegistry.TimeProvider"/> itself.
/// </remarks>
public abstract class HttpClientTest : HostingTest
{
    /// <summary>The name of the client <see cref="ClientServices{THandler}"/> registers.</summary>
    protected const string ClientName = "downstream";

    /// <summary>
    /// A container with the named client <see cref="ClientName"/> whose base address is <paramref name="server"/>'s,
    /// with <c>AddResilientHandler&lt;THandler&gt;()</c>, then whatever <paramref name="configure"/> adds to it.
    /// </summary>
    protected static ServiceProvider ClientServices<THandler>(LoopbackServer server, Action<IHttpClientBuilder>? configure = null)
        where THandler : DelegatingHandler
        => Build(services =>
        {
            IHttpClientBuilder client = services.AddHttpClient(ClientName, c => Aim(c, server)).AddResilientHandler<THandler>();
            configure?.Invoke(client);
        });

    /// <summary>A container with the services <paramref name="configure"/> adds, checked as an application's is at start.</summary>
    protected static ServiceProvider Build(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        configure(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>The named client <paramref name="name"/> of the container.</summary>
    protected static HttpClient Client(IServiceProvider services, string name = ClientName)
        => services.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    /// <summary>Points a client at <paramref name="server"/>; its own timeout is only a backstop against a hang.</summary>
    protected static void Aim(HttpClient client, LoopbackServer server)
    {
        client.BaseAddress = server.BaseAddress;
        client.Timeout = 3 * HangGuard;
    }

    /// <summary>The breaker of this name kept per host, which the handler's first call created.</summary>
    protected static KeyedCircuitBreakerState<HttpAuthority> BreakerPerHost(string name)
        => Assert.IsType<KeyedCircuitBreakerState<HttpAuthority>>(Registry.KeyedCircuitBreaker(name));

    /// <summary>The partition of <paramref name="server"/> in the breaker of this name kept per host; fails when there is none.</summary>
    protected static CircuitBreakerState Partition(string name, LoopbackServer server)
    {
        Assert.True(
            BreakerPerHost(name).TryGetPartition(HttpAuthority.Of(server.BaseAddress), out CircuitBreakerState? partition),
            $"The breaker '{name}' has no partition for '{server.Authority}'; it has: {string.Join(", ", BreakerPerHost(name).Partitions.Select(p => p.Key))}.");
        return partition;
    }
}

/// <summary>A typed client, as an application writes one over the <see cref="HttpClient"/> the factory gives it.</summary>
public sealed class CatalogClient(HttpClient http)
{
    public Task<HttpResponseMessage> GetItemAsync(string id, CancellationToken cancellationToken)
        => http.GetAsync("items/" + id, cancellationToken);
}
