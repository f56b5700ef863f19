using System;
using System.Globalization;
using System.Net;
using System.Net.Http;

namespace Resilience;

/// <summary>
/// Which HTTP outcomes are failures worth another attempt, as a method returning <see cref="HttpResponseMessage"/>
/// judges them when its attributes name no <c>HandleResult</c>. The same rules as
/// Microsoft.Extensions.Http.Resilience: 408, 429 and every 5xx are transient; other 4xx are not.
/// </summary>
public static class HttpOutcomes
{
    private const int RequestTimeout = 408;
    private const int TooManyRequests = 429;
    private const int ServiceUnavailable = 503;
    private const int FirstClientError = 400;
    private const int FirstServerError = 500;

    /// <summary>True for a response whose status is 408 (Request Timeout), 429 (Too Many Requests) or 5xx.</summary>
    public static bool IsTransientFailure(HttpResponseMessage? response) => response is not null && IsTransient(response.StatusCode);

    /// <summary>True for 408 (Request Timeout), 429 (Too Many Requests) and every 5xx.</summary>
    public static bool IsTransient(HttpStatusCode status)
    {
        int code = (int)status;
        return code == RequestTimeout || code == TooManyRequests || code >= FirstServerError;
    }

    /// <summary>
    /// True for an <see cref="HttpRequestException"/> that carries a 4xx status other than 408 and 429 (what
    /// <c>EnsureSuccessStatusCode</c> throws for a client error): the same request fails the same way again, so it is
    /// not retried unless the retry's <c>Handle</c> names it. Always false on .NET Standard 2.0, where the
    /// exception carries no status.
    /// </summary>
    public static bool IsPermanentFailure(Exception exception)
    {
#if NET5_0_OR_GREATER
        return exception is HttpRequestException { StatusCode: { } status }
            && (int)status >= FirstClientError && (int)status < FirstServerError
            && !IsTransient(status);
#else
        return false;
#endif
    }

    /// <summary>
    /// True for 429 (Too Many Requests) and 503 (Service Unavailable): the statuses whose <c>Retry-After</c> says how
    /// long the service will not serve this client (RFC 6585, RFC 9110), which a breaker with
    /// <see cref="CircuitBreakerOptions.HonorRetryAfter"/> may stay open for. Another status's <c>Retry-After</c> (a
    /// 500 or a 502 passing on a header it was given, say) says nothing about the whole service.
    /// </summary>
    internal static bool SaysWhenServiceReturns(HttpResponseMessage? response)
        => response is not null && (int)response.StatusCode is TooManyRequests or ServiceUnavailable;

    /// <summary>"503 (Service Unavailable)".</summary>
    internal static string Describe(HttpResponseMessage response)
        => ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)
            + (string.IsNullOrEmpty(response.ReasonPhrase) ? string.Empty : " (" + response.ReasonPhrase + ")");
}
