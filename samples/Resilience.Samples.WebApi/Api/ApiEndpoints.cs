using Microsoft.AspNetCore.Http.HttpResults;
using Resilience.Samples.WebApi.Clients;

namespace Resilience.Samples.WebApi.Api;

/// <summary>
/// The application's own API, each endpoint calling the services through their typed clients. Failures that the
/// clients do not turn into a fallback reach the exception handlers: the package's <c>ResilienceExceptionHandler</c>
/// answers rejections and timeouts with 429, 503 or 504, <see cref="DependencyFailureHandler"/> a failed service
/// with 502. Every response of the API says how its calls went in <c>X-Resilience-Status</c> (and
/// <c>X-Circuit-Breaker</c>, <c>Server-Timing</c>).
/// </summary>
public static class ApiEndpoints
{
    /// <summary>Maps the endpoints under <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder api = app.MapGroup("/api").WithTags("API").WithResilienceHeaders();

        api.MapGet("/orders/{id:int}", async Task<Results<Ok<Order>, NotFound>> (int id, OrdersClient orders, CancellationToken cancellationToken)
            => await orders.GetOrderAsync(id, cancellationToken) is { } order ? TypedResults.Ok(order) : TypedResults.NotFound());

        api.MapGet("/videos/{id}", async (string id, VideoApiClient videos, CancellationToken cancellationToken)
            => TypedResults.Ok(await videos.GetVideoAsync(id, cancellationToken)));

        api.MapGet("/users/{userId}/recommendations", async (string userId, RecommendationsCacheClient cache, CancellationToken cancellationToken)
            => TypedResults.Ok(await cache.GetRecommendationsAsync(userId, cancellationToken)));

        // The message id is derived from what happened, so a client that repeats this request publishes nothing new.
        api.MapPost("/orders/{id:int}/shipped", async (int id, BrokerClient broker, CancellationToken cancellationToken)
            => TypedResults.Accepted((string?)null, await broker.PublishAsync(new BrokerMessage($"order-{id}-shipped", "orders.shipped", id), cancellationToken)));

        api.MapPost("/orders/{id:int}/receipt", async Task<Results<Accepted<Acceptance>, NotFound>> (int id, OrdersClient orders, EmailClient email, CancellationToken cancellationToken) =>
        {
            if (await orders.GetOrderAsync(id, cancellationToken) is not { } order)
            {
                return TypedResults.NotFound();
            }

            var message = new EmailMessage(order.Email, $"Your receipt for order {order.Id}", $"Total: {order.Total:0.00}");
            return TypedResults.Accepted((string?)null, await email.SendAsync(message, cancellationToken));
        });

        return app;
    }
}
