using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.AspNetCore.Tests.App;

/// <summary>
/// The application under test, the same on the in-memory server and on Kestrel: the package's problem details and
/// headers over endpoints that call <see cref="Catalog"/>.
/// </summary>
public static class TestApp
{
    /// <summary>The services: the package's, the catalog, and <paramref name="clock"/> as the application's clock.</summary>
    public static void ConfigureServices(IServiceCollection services, TestClock clock)
    {
        services.AddRouting();
        services.AddResilienceProblemDetails();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(clock);
        services.AddSingleton<Catalog>();
        services.AddSingleton<ArrivalGate>();
    }

    /// <summary>The pipeline: the exception handler, then the endpoints.</summary>
    public static void Configure(IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseRouting();
        app.UseEndpoints(MapEndpoints);
    }

    private static void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder api = endpoints.MapGroup("/api").WithResilienceHeaders();
        api.MapGet("/search", (string q, Catalog catalog, CancellationToken ct) => catalog.SearchAsync(q, ct));
        api.MapGet("/caller", (HttpContext http) => http.GetCallerKey());
        api.MapGet("/per-caller", (HttpContext http, Catalog catalog, CancellationToken ct) => catalog.PerCallerAsync(http.GetCallerKey(), ct));
        api.MapGet("/stock/{id:int}", (int id, Catalog catalog, CancellationToken ct) => catalog.StockAsync(id, ct));
        api.MapGet("/unnamed", (Catalog catalog, CancellationToken ct) => catalog.UnnamedAsync(ct));
        api.MapGet("/report", (Catalog catalog, CancellationToken ct) => catalog.ReportAsync(ct));
        api.MapGet("/slow", (Catalog catalog, CancellationToken ct) => catalog.SlowAsync(ct));
        api.MapGet("/recommend", (bool fail, Catalog catalog, CancellationToken ct) => catalog.RecommendAsync(fail, ct));
        api.MapGet("/mix/{kind}", async (string kind, Catalog catalog, ArrivalGate gate, CancellationToken ct) =>
        {
            await gate.ArriveAsync();
            return kind switch
            {
                "success" => await catalog.RecommendAsync(fail: false, ct),
                "fallback" => await catalog.RecommendAsync(fail: true, ct),
                _ => await catalog.IsolatedAsync(ct),
            };
        });
        api.MapGet("/cafe", (Catalog catalog, CancellationToken ct) => catalog.CafeAsync(ct));
        api.MapGet("/bug", string () => throw new InvalidOperationException("Catalog.Bug: a defect in the endpoint."));
        api.MapGet("/timed", (TestClock clock) =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(12.3));
            return "timed";
        });
        api.MapGet("/stream", async (HttpContext http, Catalog catalog, TestClock clock, CancellationToken ct) =>
        {
            string answer = await catalog.RecommendAsync(fail: true, ct);
            clock.Advance(TimeSpan.FromMilliseconds(5));
            await http.Response.WriteAsync(answer, ct);
            clock.Advance(TimeSpan.FromMilliseconds(100));
        });

        // The filter twice on one request: on the group and on the endpoint.
        endpoints.MapGroup("/twice").WithResilienceHeaders()
            .MapGet("/timed", (TestClock clock) =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(7));
                return "timed";
            })
            .WithResilienceHeaders();

        // The filter added as a type, made by the framework from the application's services.
        endpoints.MapGet("/typed/timed", (TestClock clock) =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(3));
                return "timed";
            })
            .AddEndpointFilter<ResilienceHeadersFilter>();

        // Without the filter: the exception handler still answers.
        endpoints.MapGet("/plain/stock/{id:int}", (int id, Catalog catalog, CancellationToken ct) => catalog.StockAsync(id, ct));
    }
}
