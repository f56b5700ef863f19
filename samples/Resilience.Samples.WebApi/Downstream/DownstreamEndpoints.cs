using System.Globalization;
using Resilience.Samples.WebApi.Clients;

namespace Resilience.Samples.WebApi.Downstream;

/// <summary>
/// The simulated services, served by this application under <c>/downstream/{service}</c>, and the endpoints to
/// watch and steer them: <c>GET /downstream</c>, <c>POST /downstream/{service}/mode/{mode}</c>.
/// </summary>
public static class DownstreamEndpoints
{
    /// <summary>Maps the simulated services and their control endpoints.</summary>
    public static IEndpointRouteBuilder MapDownstream(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder downstream = app.MapGroup("/downstream").WithTags("Downstream (simulated)");

        downstream.MapGet("/", (DownstreamSimulator simulator) => TypedResults.Ok(simulator.Describe()));
        downstream.MapPost("/{service}/mode/{mode}", SetMode);

        downstream.MapGet($"/{DownstreamServices.OrdersDb}/orders/{{id:int}}", (int id) => id is >= 1 and <= 10_000
                ? Results.Ok(new Order(id, $"Customer {id % 97}", $"customer{id % 97}@example.com", 10m + (id % 50), "shipped"))
                : Results.NotFound())
            .Simulates(DownstreamServices.OrdersDb);

        downstream.MapGet($"/{DownstreamServices.VideoApi}/videos/{{id}}", (string id) =>
                TypedResults.Ok(new Video(id, $"Video {id}", "Resilience TV", 60 + (id.Sum(c => c) % 600))))
            .Simulates(DownstreamServices.VideoApi);

        downstream.MapGet($"/{DownstreamServices.Cache}/recommendations/{{userId}}", (string userId) =>
                TypedResults.Ok(new Recommendations(userId, [$"{userId}-pick-1", $"{userId}-pick-2", $"{userId}-pick-3"], "cache")))
            .Simulates(DownstreamServices.Cache);

        downstream.MapPost($"/{DownstreamServices.Broker}/messages", (BrokerMessage message, SimulatedBroker broker) =>
                TypedResults.Accepted((string?)null, new Acceptance(message.Id, Duplicate: !broker.TryAccept(message.Id))))
            .Simulates(DownstreamServices.Broker);

        downstream.MapPost($"/{DownstreamServices.Email}/messages", (EmailMessage message) =>
                TypedResults.Accepted((string?)null, new Acceptance(Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture))))
            .Simulates(DownstreamServices.Email);

        return app;
    }

    private static IResult SetMode(string service, string mode, DownstreamSimulator simulator)
    {
        if (!simulator.IsKnown(service))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: $"No simulated service is named '{service}'.",
                detail: $"The services are: {string.Join(", ", DownstreamServices.All)}.");
        }

        if (!Enum.TryParse(mode, ignoreCase: true, out DownstreamMode parsed) || !Enum.IsDefined(parsed) || char.IsDigit(mode[0]))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: $"'{mode}' is not a mode.",
                detail: "The modes are: auto, healthy, failing, slow, recovering.");
        }

        simulator.SetMode(service, parsed);
        return TypedResults.Ok(simulator.Describe(service));
    }

    /// <summary>Makes the endpoint answer as <paramref name="service"/>'s current phase says: at once, late, or with a 503.</summary>
    private static RouteHandlerBuilder Simulates(this RouteHandlerBuilder endpoint, string service)
        => endpoint.AddEndpointFilter(async (context, next) =>
        {
            HttpContext http = context.HttpContext;
            DownstreamSimulator simulator = http.RequestServices.GetRequiredService<DownstreamSimulator>();
            try
            {
                if (!await simulator.AdmitAsync(service, http.RequestAborted))
                {
                    return TypedResults.Problem(
                        statusCode: StatusCodes.Status503ServiceUnavailable,
                        title: $"{service} is unavailable.",
                        detail: $"Simulated failure: '{service}' is {simulator.PhaseOf(service).ToString().ToLowerInvariant()}.");
                }
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The caller timed out and went away while the service was slow: nobody reads the answer.
                return TypedResults.Empty;
            }

            return await next(context);
        });
}
