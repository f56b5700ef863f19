using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Resilience.Hosting;
using Resilience.Samples.WebApi.Api;
using Resilience.Samples.WebApi.Clients;
using Resilience.Samples.WebApi.Distributed;
using Resilience.Samples.WebApi.Downstream;
using Resilience.Samples.WebApi.Health;

// An API over five unreliable services (simulated by this application under /downstream), each called through a
// typed client whose methods are made resilient by attributes (see Clients/). Try it with the commands in README.md.
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// One clock for the policies and the simulated services; tests replace it with a fake one.
builder.Services.TryAddSingleton(TimeProvider.System);

// The per-service settings of appsettings.json ("Resilience") laid over the attributes' values; logs under the
// "Resilience" category; the clock above as the policies' clock.
builder.Services.AddResilience(builder.Configuration.GetSection("Resilience"));

// The policies marked "Distributed" in appsettings.json share their state with every instance through Redis: the one
// of ConnectionStrings:redis, or else an embedded Garnet server started here for development (see README.md).
EmbeddedRedis? embeddedRedis = builder.AddSampleDistributedMode();

// The simulated services, and the typed clients that call them.
builder.Services.AddOptions<DownstreamOptions>()
    .Bind(builder.Configuration.GetSection(DownstreamOptions.SectionName))
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton<DownstreamSimulator>();
builder.Services.AddSingleton<SimulatedBroker>();
builder.Services.AddDownstreamClients();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower)));

// Failures no fallback took, as problem details: the policies' rejections and timeouts (429, 503 with Retry-After,
// 504) by the Resilience.Generators.AspNetCore package, then a service that failed (502) by the sample's own handler.
builder.Services.AddResilienceProblemDetails();
builder.Services.AddExceptionHandler<DependencyFailureHandler>();

// Readiness: unhealthy while a critical breaker is open, and from the moment shutdown begins.
builder.Services.AddSingleton<ShutdownHealthCheck>();
builder.Services.AddHealthChecks()
    .AddResilienceHealthChecks(options =>
    {
        options.CriticalBreakers.Add(DownstreamServices.OrdersDb);
        options.CriticalBreakers.Add(DownstreamServices.VideoApi);
        options.Tags.Add(HealthTags.Ready);
    })
    .AddCheck<ShutdownHealthCheck>("shutdown", tags: [HealthTags.Ready]);

// Shutdown: readiness turns 503, the server keeps taking requests for the delay, then lets those in flight finish.
builder.Services.AddOptions<ShutdownOptions>()
    .Bind(builder.Configuration.GetSection(ShutdownOptions.SectionName))
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddOptions<HostOptions>()
    .Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
        host.ShutdownTimeout = TimeSpan.FromMilliseconds(shutdown.Value.ReadinessDelayMs + shutdown.Value.DrainTimeoutMs));
builder.Services.AddHostedService<ReadinessDrainService>();

// Metrics of the "Resilience" meter, for Prometheus at /metrics.
builder.Services.AddOpenTelemetry()
    .ConfigureResource(resource => resource.AddService("Resilience.Samples.WebApi"))
    .WithMetrics(metrics => metrics
        .AddMeter("Resilience")
        .AddView("resilience.call.duration", new ExplicitBucketHistogramConfiguration
        {
            Boundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        })
        .AddPrometheusExporter());

WebApplication app = builder.Build();
if (embeddedRedis is not null)
{
    app.Lifetime.ApplicationStopped.Register(embeddedRedis.Dispose);
}

app.UseExceptionHandler();

app.MapApi();
app.MapDownstream();

// Liveness runs no check: 200 for as long as the process can answer.
app.MapHealthChecks("/health/live", new HealthCheckOptions
{
    Predicate = _ => false,
    ResponseWriter = WriteHealthReport,
});
app.MapHealthChecks("/health/ready", new HealthCheckOptions
{
    Predicate = check => check.Tags.Contains(HealthTags.Ready),
    ResponseWriter = WriteHealthReport,
});

app.MapPrometheusScrapingEndpoint();

// The live page of every policy, at /resilience, in Development only: it names the application's dependencies, so
// anywhere else it belongs behind authorization, as in docs/operations.md:
// app.MapResilienceDashboard("/resilience").RequireAuthorization("operators").
if (app.Environment.IsDevelopment())
{
    app.MapResilienceDashboard("/resilience");
}

app.Run();

// The per-breaker JSON of the hosting package: each breaker's state, counts, error rate and time in state.
static Task WriteHealthReport(HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
{
    context.Response.ContentType = ResilienceHealthReportWriter.ContentType;
    return ResilienceHealthReportWriter.WriteAsync(context.Response.Body, report, context.RequestAborted);
}

/// <summary>The application's entry point; public so that tests can start it with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
