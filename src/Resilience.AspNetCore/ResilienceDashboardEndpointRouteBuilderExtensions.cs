using System;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Resilience;
using Resilience.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the live resilience dashboard: <c>app.MapResilienceDashboard("/resilience")</c>.</summary>
public static class ResilienceDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves a live page of every circuit breaker (state, calls, failure rate, time in state), every breaker kept per
    /// key (its partitions by state), every bulkhead (calls running and queued against its limits), every rate limit
    /// (permits used and left in its window, calls queued and rejected, time to the next permit) and every rate limit
    /// kept per key (its keys, those with no permit left) of <see cref="ResilienceRegistry.Default"/> at
    /// <paramref name="pattern"/>, and the same as JSON at
    /// <c>{pattern}/state</c>, which the page reads every two seconds.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Nothing is served unless this is called. The page is self-contained (no script, style or font from elsewhere;
    /// it works offline) and sends a <c>Content-Security-Policy</c> that allows nothing else.
    /// </para>
    /// <para>
    /// It shows policy names and counts, never a partition's key, an exception message or a request's content; still,
    /// policy names describe your dependencies: put it behind the application's authorization, with the returned
    /// builder (<c>app.MapResilienceDashboard("/resilience").RequireAuthorization("operators")</c>).
    /// </para>
    /// </remarks>
    /// <param name="endpoints">The application, or a route group.</param>
    /// <param name="pattern">Where the page is served, such as <c>/resilience</c>.</param>
    /// <returns>The group of the page and its data, to require authorization on.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="pattern"/> is null.</exception>
    public static RouteGroupBuilder MapResilienceDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/resilience")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);

        RouteGroupBuilder group = endpoints.MapGroup(pattern);
        group.MapGet(string.Empty, static context =>
        {
            string stateUrl = context.Request.PathBase.Add(context.Request.Path).Value!.TrimEnd('/') + "/state";
            SetHeaders(context.Response, "text/html; charset=utf-8");
            return context.Response.WriteAsync(
                ResilienceDashboardPage.Html.Replace(ResilienceDashboardPage.StateUrlPlaceholder, WebUtility.HtmlEncode(stateUrl), StringComparison.Ordinal),
                context.RequestAborted);
        });
        group.MapGet("/state", static context =>
        {
            byte[] state = ResilienceDashboardSnapshot.Write(ResilienceRegistry.Default);
            SetHeaders(context.Response, "application/json");
            return context.Response.Body.WriteAsync(state, 0, state.Length, context.RequestAborted);
        });
        return group;
    }

    private static void SetHeaders(HttpResponse response, string contentType)
    {
        response.ContentType = contentType;
        response.Headers.ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
    }
}
