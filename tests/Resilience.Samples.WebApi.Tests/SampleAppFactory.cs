using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Resilience.Samples.WebApi.Downstream;
using Resilience.Samples.WebApi.Health;

namespace Resilience.Samples.WebApi.Tests;

/// <summary>
/// The sample on an in-memory server, with its own appsettings.json, a <see cref="TestClock"/> as its
/// <see cref="TimeProvider"/> (and so, once started, as the policies' clock), its typed clients calling the
/// simulated services through the in-memory server, every service healthy until a test says otherwise, and no
/// shutdown delay. Logs go to a <c>FakeLogCollector</c>.
/// </summary>
public sealed class SampleAppFactory(int readinessDelayMs = 0) : WebApplicationFactory<Program>
{
    /// <summary>The application's clock.</summary>
    public TestClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureLogging(logging => logging.ClearProviders().AddFakeLogging());

        // One process, one ResilienceRegistry.Default: distributed mode is tried with separate processes
        // (DistributedModeTests); here the policies stay local, and the test clock drives them.
        builder.UseSetting("Distributed:Enabled", "false");
        builder.UseSetting("Resilience:orders-db:Distributed", "false");
        builder.UseSetting("Resilience:video-api:Distributed", "false");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);

            // The typed clients would call the address the server listens on; the in-memory server listens on
            // none, so their requests go through its handler instead. The handler is created at the first
            // request, when the server exists.
            services.ConfigureHttpClientDefaults(http => http.ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler()));
            services.Configure<DownstreamOptions>(options =>
            {
                options.BaseAddress = "http://localhost/downstream/";
                options.Mode = DownstreamMode.Healthy;
            });
            services.Configure<ShutdownOptions>(options => options.ReadinessDelayMs = readinessDelayMs);
        });
    }
}
