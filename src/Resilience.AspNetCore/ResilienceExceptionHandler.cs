using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Resilience.AspNetCore;

/// <summary>
/// Answers the rejections and timeouts of resilient methods that reach the exception handler middleware
/// (<c>app.UseExceptionHandler()</c>) as RFC 9457 problem details:
/// <see cref="RateLimitRejectedException"/> with 429 Too Many Requests, <see cref="BrokenCircuitException"/>,
/// <see cref="BulkheadRejectedException"/> (and any other <see cref="ResilienceRejectedException"/>) with
/// 503 Service Unavailable, <see cref="TimeoutRejectedException"/> with 504 Gateway Timeout. Other exceptions are
/// left to the next handler. Register it with
/// <see cref="Microsoft.Extensions.DependencyInjection.ResilienceAspNetCoreServiceCollectionExtensions.AddResilienceProblemDetails"/>.
/// </summary>
/// <remarks>
/// <para>
/// A rejection that knows when calls will be accepted again (<see cref="ResilienceRejectedException.RetryAfter"/>:
/// the rest of a break, the wait for a permit) gets a <c>Retry-After</c> header in whole seconds, rounded up,
/// at least 1. A rate limit's rejection also gets the IETF draft headers <c>RateLimit-Limit</c> (its
/// <see cref="RateLimitRejectedException.PermitLimit"/>, when known), <c>RateLimit-Remaining: 0</c> and
/// <c>RateLimit-Reset</c> (the same seconds as <c>Retry-After</c>).
/// </para>
/// <para>
/// The body has a <c>type</c>, <c>title</c>, <c>status</c> and <c>detail</c> fixed per status, and whatever the
/// application's <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/> adds. It never holds the exception's
/// message or the policy's name: by default a policy is named after its method (<c>Namespace.Type.Method</c>).
/// The exception is passed to <see cref="ProblemDetailsContext.Exception"/>, for the application's own
/// customization and logs.
/// </para>
/// <para>
/// When no problem details writer accepts the request (its <c>Accept</c> header asks for neither JSON nor
/// anything), the status and headers are still sent, with an empty body. Thread-safe; one instance serves every request.
/// </para>
/// </remarks>
public sealed class ResilienceExceptionHandler : IExceptionHandler
{
    private readonly IProblemDetailsService _problemDetails;

    /// <summary>Creates the handler.</summary>
    /// <param name="problemDetails">Writes the problem details (registered by <c>services.AddProblemDetails()</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="problemDetails"/> is null.</exception>
    public ResilienceExceptionHandler(IProblemDetailsService problemDetails)
    {
        ArgumentNullException.ThrowIfNull(problemDetails);
        _problemDetails = problemDetails;
    }

    /// <summary>
    /// Answers <paramref name="exception"/> when it is a rejection or a resilience timeout; returns false, having
    /// changed nothing, for any other exception or once the response has started.
    /// </summary>
    /// <param name="httpContext">The request that failed.</param>
    /// <param name="exception">What it failed with.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <returns>True when the response was written.</returns>
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        if (ResilienceProblem.For(exception) is not { } problem || httpContext.Response.HasStarted)
        {
            return false;
        }

        HttpResponse response = httpContext.Response;
        response.StatusCode = problem.Status;
        string? seconds = exception is ResilienceRejectedException { RetryAfter: { } retryAfter } ? WholeSeconds(retryAfter) : null;
        if (seconds is not null)
        {
            response.Headers.RetryAfter = seconds;
        }

        if (exception is RateLimitRejectedException limit)
        {
            if (limit.PermitLimit is { } permits)
            {
                response.Headers[ResilienceHeaderNames.RateLimitLimit] = permits.ToString(CultureInfo.InvariantCulture);
            }

            response.Headers[ResilienceHeaderNames.RateLimitRemaining] = "0";
            if (seconds is not null)
            {
                response.Headers[ResilienceHeaderNames.RateLimitReset] = seconds;
            }
        }

        // The status and headers are the answer; the body is written when a writer accepts the request.
        await _problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = problem.Status,
                Type = problem.Type,
                Title = problem.Title,
                Detail = problem.Detail,
            },
        }).ConfigureAwait(false);
        return true;
    }

    /// <summary>Whole seconds, rounded up, at least 1: asking again a little late is better than a little early.</summary>
    private static string WholeSeconds(TimeSpan wait)
        => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
