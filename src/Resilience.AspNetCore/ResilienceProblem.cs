using System;
using Microsoft.AspNetCore.Http;

namespace Resilience.AspNetCore;

/// <summary>
/// What a rejection is answered with: a status, and the type, title and detail of its problem details. The texts
/// are fixed per status: never the exception's message, which names the policy and so, by default, the
/// method (<c>Namespace.Type.Method</c>).
/// </summary>
internal sealed class ResilienceProblem
{
    private static readonly ResilienceProblem s_tooManyRequests = new(
        StatusCodes.Status429TooManyRequests,
        "https://tools.ietf.org/html/rfc6585#section-4",
        "Too Many Requests",
        "The request was refused because a rate limit was reached. Try again later.");

    private static readonly ResilienceProblem s_serviceUnavailable = new(
        StatusCodes.Status503ServiceUnavailable,
        "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        "Service Unavailable",
        "The service cannot handle the request right now. Try again later.");

    private static readonly ResilienceProblem s_gatewayTimeout = new(
        StatusCodes.Status504GatewayTimeout,
        "https://tools.ietf.org/html/rfc9110#section-15.6.5",
        "Gateway Timeout",
        "A service this request depends on did not answer in time.");

    private ResilienceProblem(int status, string type, string title, string detail)
    {
        Status = status;
        Type = type;
        Title = title;
        Detail = detail;
    }

    public int Status { get; }

    public string Type { get; }

    public string Title { get; }

    public string Detail { get; }

    /// <summary>The answer to <paramref name="exception"/>; null when it is not a rejection or a resilience timeout.</summary>
    public static ResilienceProblem? For(Exception exception) => exception switch
    {
        RateLimitRejectedException => s_tooManyRequests,
        ResilienceRejectedException => s_serviceUnavailable,
        TimeoutRejectedException => s_gatewayTimeout,
        _ => null,
    };
}
