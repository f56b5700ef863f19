using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Resilience.Samples.WebApi.Api;

/// <summary>
/// Answers a service that failed (it answered an error, or could not be reached) after the retries its client
/// allows, with 502 Bad Gateway as problem details. The rejections and timeouts of the policies are answered before
/// this, by the package's <c>ResilienceExceptionHandler</c> (429, 503, 504); any other exception is left to the
/// default handling (500).
/// </summary>
/// <remarks>
/// Like the package's answers, the body says what kind of failure it was and nothing more: the exception's message
/// would tell the client about the services behind this application.
/// </remarks>
public sealed class DependencyFailureHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not HttpRequestException)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status502BadGateway;
        await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status502BadGateway,
                Type = "https://tools.ietf.org/html/rfc9110#section-15.6.3",
                Title = "Bad Gateway",
                Detail = "A service this request depends on failed.",
            },
        });
        return true;
    }
}
