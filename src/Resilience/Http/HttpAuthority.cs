using System;
using System.Net.Http;

namespace Resilience;

/// <summary>
/// Where a request goes: its scheme, host and port. The key of a breaker or rate limit kept per host, when
/// <see cref="CircuitBreakerKeyAttribute"/> or <see cref="RateLimitKeyAttribute"/> is on an <see cref="HttpRequestMessage"/>.
/// </summary>
/// <remarks>
/// It is made from the parts <see cref="Uri"/> keeps once parsed, so that finding a request's partition allocates
/// nothing. Schemes and hosts compare without regard to case, and the port is always explicit: <c>http://host</c> and
/// <c>http://host:80</c> are one authority. Its text, <c>https://api.example.com:443</c>, names the partition in
/// exceptions, metrics, logs and health checks.
/// </remarks>
public readonly struct HttpAuthority : IEquatable<HttpAuthority>
{
    // Null in the empty authority (default), which the properties give as empty strings.
    private readonly string? _scheme;
    private readonly string? _host;

    private HttpAuthority(string scheme, string host, int port)
    {
        _scheme = scheme;
        _host = host;
        Port = port;
    }

    /// <summary>The scheme, <c>https</c>; empty for a request without an absolute URI.</summary>
    public string Scheme => _scheme ?? string.Empty;

    /// <summary>The host as <see cref="Uri.Host"/> gives it (an IPv6 address in brackets); empty for a request without an absolute URI.</summary>
    public string Host => _host ?? string.Empty;

    /// <summary>The port, the scheme's default when the URI names none; 0 for a request without an absolute URI.</summary>
    public int Port { get; }

    /// <summary>
    /// The authority of <paramref name="request"/>'s <see cref="HttpRequestMessage.RequestUri"/>; the empty authority
    /// (<c>default</c>) when the request is null or its URI is not absolute, which is one partition like any other.
    /// </summary>
    /// <param name="request">The request.</param>
    public static HttpAuthority Of(HttpRequestMessage? request) => Of(request?.RequestUri);

    /// <summary>The authority of <paramref name="uri"/>; the empty authority when it is null or not absolute.</summary>
    /// <param name="uri">The address.</param>
    public static HttpAuthority Of(Uri? uri)
        => uri is null || !uri.IsAbsoluteUri ? default : new HttpAuthority(uri.Scheme, uri.Host, uri.Port);

    /// <summary>True when both have the same scheme, host (regardless of case) and port.</summary>
    /// <param name="left">One authority.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(HttpAuthority left, HttpAuthority right) => left.Equals(right);

    /// <summary>True when they differ in scheme, host (regardless of case) or port.</summary>
    /// <param name="left">One authority.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(HttpAuthority left, HttpAuthority right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(HttpAuthority other)
        => Port == other.Port
        && string.Equals(Scheme, other.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is HttpAuthority other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        unchecked
        {
            int hash = StringComparer.OrdinalIgnoreCase.GetHashCode(Host);
            hash = (hash * 31) + StringComparer.OrdinalIgnoreCase.GetHashCode(Scheme);
            return (hash * 31) + Port;
        }
    }

    /// <summary><c>scheme://host:port</c>, <c>https://api.example.com:443</c>; empty for the empty authority.</summary>
    public override string ToString() => Scheme.Length == 0 ? string.Empty : $"{Scheme}://{Host}:{Port}";
}
