using System;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Resilience.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ASP.NET Core integration of Resilience.Generators.</summary>
public static class ResilienceAspNetCoreServiceCollectionExtensions
{
    /// <summary>
    /// Answers the rejections and timeouts of resilient methods as problem details (429, 503, 504, with
    /// <c>Retry-After</c> and <c>RateLimit-*</c> headers): adds <c>AddProblemDetails()</c> and
    /// <see cref="ResilienceExceptionHandler"/> as an <see cref="IExceptionHandler"/>. The application still calls
    /// <c>app.UseExceptionHandler()</c>, which runs the handlers.
    /// </summary>
    /// <remarks>
    /// Calling it again adds nothing. Exception handlers are asked in the order they were registered: call this
    /// before adding a handler that answers every exception.
    /// </remarks>
    /// <param name="services">The application's services.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddResilienceProblemDetails(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddProblemDetails();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, ResilienceExceptionHandler>());
        return services;
    }
}
