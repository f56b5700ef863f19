using System;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Resilience;
using Resilience.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds <see cref="ResilienceHeadersFilter"/> to minimal API endpoints.</summary>
public static class ResilienceEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="ResilienceHeadersFilter"/> to the endpoint, or to every route handler of the group:
    /// <c>X-Resilience-Status</c>, <c>X-Circuit-Breaker</c> and <c>Server-Timing</c> on each response.
    /// </summary>
    /// <remarks>
    /// The filter takes <see cref="ResilienceHeadersOptions"/> from the application's options, its clock from the
    /// registered <see cref="TimeProvider"/> (else the system clock), and listens to the registered
    /// <see cref="ResilienceRegistry"/> (else <see cref="ResilienceRegistry.Default"/>). One filter is made per
    /// endpoint. Endpoint filters apply to route handlers (<c>MapGet</c>, <c>MapPost</c>, ...), not to controllers.
    /// </remarks>
    /// <typeparam name="TBuilder">The endpoint's or group's builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static TBuilder WithResilienceHeaders<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddEndpointFilterFactory(static (context, next) =>
        {
            IServiceProvider services = context.ApplicationServices;
            var filter = new ResilienceHeadersFilter(
                services.GetService<IOptions<ResilienceHeadersOptions>>() ?? Options.Create(new ResilienceHeadersOptions()),
                services.GetService<TimeProvider>(),
                services.GetService<ResilienceRegistry>());
            return invocation => filter.InvokeAsync(invocation, next);
        });
        return builder;
    }
}
