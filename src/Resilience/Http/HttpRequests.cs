using System;
using System.Net.Http;

namespace Resilience;

/// <summary>
/// What resilient methods that send an <see cref="HttpRequestMessage"/> ask of it: which breaker it belongs to and
/// whether it may be sent again. Generated code calls these; they are public so that hand-written policies agree.
/// </summary>
public static class HttpRequests
{
    /// <summary>The request header that makes a POST or PATCH safe to retry: the server answers a repeat with the first result.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>
    /// The request's authority as <c>scheme://host:port</c> (<c>https://api.example.com:443</c>), the text of the
    /// <see cref="HttpAuthority"/> a breaker kept per host is keyed by (see <see cref="CircuitBreakerKeyAttribute"/>);
    /// an empty string when the request has no absolute URI. It allocates the string; <see cref="HttpAuthority.Of(HttpRequestMessage)"/> does not.
    /// </summary>
    /// <param name="request">The request; null gives an empty string.</param>
    public static string Authority(HttpRequestMessage? request) => HttpAuthority.Of(request).ToString();

    /// <summary>
    /// True when sending the request again cannot do twice what it asks: every method but POST and PATCH, and those
    /// two when they carry an <see cref="IdempotencyKeyHeader"/> header. A retry of a request for which this is false
    /// is not attempted; the first outcome is the call's.
    /// </summary>
    /// <param name="request">The request; null is taken as safe to repeat.</param>
    public static bool MayRetry(HttpRequestMessage? request)
    {
        if (request is null)
        {
            return true;
        }

        HttpMethod method = request.Method;
        bool unsafeMethod = method == HttpMethod.Post || string.Equals(method.Method, "PATCH", StringComparison.OrdinalIgnoreCase);
        return !unsafeMethod || request.Headers.Contains(IdempotencyKeyHeader);
    }
}
