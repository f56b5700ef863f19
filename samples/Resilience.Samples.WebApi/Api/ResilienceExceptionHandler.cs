using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;

namespace Resilience.Samples.WebApi.Api;

/// <summary>
/// Answers the failures of the services that no fallback took: a rejection (open breaker, full bulkhead,
/// exhausted rate limit) with 503 and, when known, <c>Retry-After</c>; a timeout with 504; a failed call with 502.
/// </summary>
public sealed class ResilienceExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        (int status, string title, TimeSpan? retryAfter) = exception switch
        {
            ResilienceRejectedException rejected => (StatusCodes.Status503ServiceUnavailable, $"'{rejected.PolicyName}' is not taking calls right now.", rejected.RetryAfter),
            TimeoutRejectedException timeout => (StatusCodes.Status504GatewayTimeout, $"'{timeout.PolicyName}' did not answer in time.", null),
            HttpRequestException => (StatusCodes.Status502BadGateway, "A service this request depends on failed.", null),
            _ => (0, string.Empty, null),
        };
        if (status == 0)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        if (retryAfter is { } wait)
        {
            // Whole seconds, rounded up: asking again a little late is better than a little early.
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = exception.Message },
        });
    }
}
