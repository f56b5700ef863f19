using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Resilience.AspNetCore.Tests.App;

/// <summary>The test application, started, and a client of it.</summary>
public abstract class RunningApp : IAsyncDisposable
{
    /// <summary>A client of the application.</summary>
    public abstract HttpClient Client { get; }

    /// <summary>The application's services.</summary>
    public abstract IServiceProvider Services { get; }

    public abstract ValueTask DisposeAsync();

    /// <summary>The application on the in-memory test server of <see cref="WebApplicationFactory{TEntryPoint}"/>.</summary>
    public static RunningApp InMemory(TestClock clock) => new InMemoryApp(clock);

    /// <summary>The application on Kestrel, listening on 127.0.0.1 on a port the system picks, with a real <see cref="HttpClient"/>.</summary>
    public static async Task<RunningApp> OnKestrelAsync(TestClock clock)
    {
        IHost host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0))
                .ConfigureServices(services => TestApp.ConfigureServices(services, clock))
                .Configure(TestApp.Configure))
            .Build();
        await host.StartAsync();
        string address = host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new KestrelApp(host, new HttpClient { BaseAddress = new Uri(address) });
    }

    private sealed class InMemoryApp : RunningApp
    {
        private readonly Factory _factory;
        private readonly HttpClient _client;

        public InMemoryApp(TestClock clock)
        {
            _factory = new Factory(clock);
            _client = _factory.CreateClient(); // starts the application
        }

        public override HttpClient Client => _client;

        public override IServiceProvider Services => _factory.Services;

        public override async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _factory.DisposeAsync();
        }
    }

    /// <summary>The test application as <see cref="WebApplicationFactory{TEntryPoint}"/> builds it: from a host builder, not an entry point.</summary>
    private sealed class Factory(TestClock clock) : WebApplicationFactory<Factory>
    {
        protected override IHostBuilder CreateHostBuilder()
            => new HostBuilder().ConfigureWebHost(web => web
                .ConfigureServices(services => TestApp.ConfigureServices(services, clock))
                .Configure(TestApp.Configure));

        protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseContentRoot(AppContext.BaseDirectory);
    }

    private sealed class KestrelApp(IHost host, HttpClient client) : RunningApp
    {
        public override HttpClient Client => client;

        public override IServiceProvider Services => host.Services;

        public override async ValueTask DisposeAsync()
        {
            client.Dispose();
            await host.StopAsync();
            host.Dispose();
        }
    }
}
