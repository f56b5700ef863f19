using System;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Microsoft.AspNetCore.Http;

/// <summary>
/// Who is calling, as a key for a rate limit kept per caller: pass <see cref="GetCallerKey"/> to a resilient method's
/// <c>[RateLimitKey] string caller</c> parameter.
/// </summary>
public static class CallerKeyHttpContextExtensions
{
    /// <summary>The request header <see cref="GetCallerKey"/> reads an API key from unless told another: <c>X-Api-Key</c>.</summary>
    public const string DefaultApiKeyHeader = "X-Api-Key";

    // The part of an API key's SHA-256 that is kept: 128 bits, enough to tell keys apart.
    private const int ApiKeyHashBytes = 16;

    /// <summary>
    /// The caller of this request, as a rate-limit key. The first of:
    /// <list type="number">
    /// <item><c>user:{name}</c>: the authenticated user's name (<see cref="System.Security.Principal.IIdentity.Name"/>,
    /// else the <see cref="ClaimTypes.NameIdentifier"/> claim);</item>
    /// <item><c>api-key:{hash}</c>: the value of the <paramref name="apiKeyHeader"/> request header, hashed (SHA-256,
    /// 32 hexadecimal digits), so that the key itself is not kept in memory by the limit;</item>
    /// <item><c>ip:{address}</c>: the connection's remote address; an IPv6 address by its /64 network
    /// (<c>ip:2001:db8:1:2::/64</c>), the block one subscriber usually holds, except the loopback (<c>ip:::1</c>);
    /// <c>ip:unknown</c> when there is none.</item>
    /// </list>
    /// </summary>
    /// <remarks>
    /// <para>
    /// Only use the API key when the application rejects unknown keys before the call: a key the server does not
    /// check is one a client can change on every request, getting a limit of its own each time. Pass
    /// <c>apiKeyHeader: null</c> to skip it. An API key that an authentication handler checked shows as the user
    /// anyway.
    /// </para>
    /// <para>
    /// Behind a proxy or load balancer, the remote address is the proxy's unless the application runs the forwarded
    /// headers middleware (<c>app.UseForwardedHeaders()</c>) before the endpoints.
    /// </para>
    /// </remarks>
    /// <param name="context">The request.</param>
    /// <param name="apiKeyHeader">The request header that carries an API key; null to not use one.</param>
    /// <returns>A key that is the same for every request of one caller, and differs between the kinds of caller.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public static string GetCallerKey(this HttpContext context, string? apiKeyHeader = DefaultApiKeyHeader)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User?.Identity is { IsAuthenticated: true } identity)
        {
            string? name = identity.Name;
            if (string.IsNullOrEmpty(name))
            {
                name = context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value;
            }

            if (!string.IsNullOrEmpty(name))
            {
                return "user:" + name;
            }
        }

        if (!string.IsNullOrEmpty(apiKeyHeader)
            && context.Request.Headers.TryGetValue(apiKeyHeader, out StringValues values)
            && values.Count > 0
            && values[0] is { } apiKey
            && !string.IsNullOrWhiteSpace(apiKey))
        {
            return "api-key:" + Hash(apiKey.Trim());
        }

        return context.Connection.RemoteIpAddress is { } address ? "ip:" + Network(address) : "ip:unknown";
    }

    private static string Hash(string apiKey)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(apiKey), hash);
        return Convert.ToHexString(hash[..ApiKeyHashBytes]).ToLowerInvariant();
    }

    /// <summary>An IPv4 address as it is (IPv4-mapped IPv6 addresses included), and the loopback; another IPv6 address as its /64 network.</summary>
    private static string Network(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        byte[] bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes).ToString() + "/64";
    }
}
