using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Resilience.AspNetCore;

/// <summary>
/// An endpoint filter that tells the client how the endpoint's resilient calls went, in three response headers:
/// <list type="bullet">
/// <item><c>X-Resilience-Status</c>: <c>success</c>, <c>fallback</c> (a <see cref="FallbackAttribute"/> method
/// answered at least one call), <c>rejected</c> (the endpoint ended with a rejection or a resilience timeout) or
/// <c>failure</c> (it ended with another exception); see <see cref="ResilienceStatus"/>.</item>
/// <item><c>X-Circuit-Breaker</c>: the names of the circuit breakers that rejected a call of the request, when
/// <see cref="ResilienceHeadersOptions.ExposeCircuitBreakerName"/> allows them.</item>
/// <item><c>Server-Timing</c>: <c>resilience;dur=12.3</c>, the milliseconds the endpoint took (filters inside this
/// one included), on the application's <see cref="TimeProvider"/>.</item>
/// </list>
/// Add it with <see cref="Microsoft.AspNetCore.Builder.ResilienceEndpointConventionBuilderExtensions.WithResilienceHeaders"/>
/// on an endpoint or a group.
/// </summary>
/// <remarks>
/// <para>
/// The headers are written when the response starts, so they are on the answer of the exception handler too (the
/// 429, 503 or 504 of <see cref="ResilienceExceptionHandler"/>), and they describe this request only, however
/// many run at once: the filter keeps the request's state in an <see cref="System.Threading.AsyncLocal{T}"/>,
/// which the registry's events, raised on the flow of each call, find. Calls the endpoint starts without that
/// flow (<see cref="System.Threading.ExecutionContext.SuppressFlow"/>) are not seen.
/// </para>
/// <para>
/// An endpoint that writes its response itself has the headers as they stand when it starts writing. A request
/// that passes through the filter twice (on a group and on its endpoint) is reported once, by the outer one.
/// Making the filter registers, once per registry, the <see cref="ResilienceListener"/> it relies on.
/// </para>
/// </remarks>
public sealed class ResilienceHeadersFilter : IEndpointFilter
{
    private readonly ResilienceHeadersOptions _options;
    private readonly TimeProvider _clock;

    /// <summary>Creates the filter.</summary>
    /// <param name="options">Its settings.</param>
    /// <param name="timeProvider">The clock of <c>Server-Timing</c>; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="registry">The registry whose events it listens to; <see cref="ResilienceRegistry.Default"/>, the one generated code uses, when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public ResilienceHeadersFilter(IOptions<ResilienceHeadersOptions> options, TimeProvider? timeProvider = null, ResilienceRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _clock = timeProvider ?? TimeProvider.System;
        RequestResilienceListener.EnsureRegistered(registry ?? ResilienceRegistry.Default);
    }

    /// <summary>Runs the endpoint with the request's state in place, and has its headers written when the response starts.</summary>
    /// <param name="context">The endpoint's invocation.</param>
    /// <param name="next">The rest of the filters and the endpoint.</param>
    /// <returns>What the endpoint returned.</returns>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        HttpContext http = context.HttpContext;
        if (http.Features.Get<RequestResilience>() is not null || http.Response.HasStarted)
        {
            return await next(context).ConfigureAwait(false);
        }

        var request = new RequestResilience(_options, _clock, http.Response);
        http.Features.Set(request);
        http.Response.OnStarting(RequestResilience.WriteHeadersOnStarting, request);

        // Set in this method's own execution context: the caller's is restored when it returns.
        RequestResilience.Current = request;
        try
        {
            object? result = await next(context).ConfigureAwait(false);
            request.End(failure: null);
            return result;
        }
        catch (Exception failure)
        {
            request.End(failure);
            throw;
        }
    }
}
