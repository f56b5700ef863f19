using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Resilience.AspNetCore.Tests;

/// <summary><c>HttpContext.GetCallerKey()</c>: the user, else the API key, else the address.</summary>
public sealed class CallerKeyTests
{
    [Fact]
    public void An_authenticated_user_is_keyed_by_name_before_any_API_key_or_address()
    {
        HttpContext context = Request(user: Authenticated(new Claim(ClaimTypes.Name, "alice")), apiKey: "secret", address: "10.0.0.1");

        Assert.Equal("user:alice", context.GetCallerKey());
    }

    [Fact]
    public void A_user_without_a_name_is_keyed_by_its_identifier_claim()
    {
        HttpContext context = Request(user: Authenticated(new Claim(ClaimTypes.NameIdentifier, "42")), address: "10.0.0.1");

        Assert.Equal("user:42", context.GetCallerKey());
    }

    [Fact]
    public void A_user_who_is_not_authenticated_does_not_count()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "mallory")]));
        HttpContext context = Request(user: anonymous, address: "10.0.0.1");

        Assert.Equal("ip:10.0.0.1", context.GetCallerKey());
    }

    [Fact]
    public void An_API_key_is_kept_as_a_hash_the_same_for_the_same_key()
    {
        string first = Request(apiKey: "secret-1", address: "10.0.0.1").GetCallerKey();
        string again = Request(apiKey: " secret-1 ", address: "10.0.0.2").GetCallerKey();
        string other = Request(apiKey: "secret-2", address: "10.0.0.1").GetCallerKey();

        Assert.Matches("^api-key:[0-9a-f]{32}$", first);
        Assert.DoesNotContain("secret", first, StringComparison.Ordinal);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void The_API_key_header_can_be_another_or_none()
    {
        HttpContext context = Request(address: "10.0.0.1");
        context.Request.Headers["Authorization-Key"] = "secret";
        context.Request.Headers[CallerKeyHttpContextExtensions.DefaultApiKeyHeader] = "other";

        Assert.StartsWith("api-key:", context.GetCallerKey("Authorization-Key"), StringComparison.Ordinal);
        Assert.NotEqual(context.GetCallerKey(), context.GetCallerKey("Authorization-Key"));
        Assert.Equal("ip:10.0.0.1", context.GetCallerKey(apiKeyHeader: null));
    }

    [Fact]
    public void An_empty_API_key_is_no_key()
        => Assert.Equal("ip:10.0.0.1", Request(apiKey: "  ", address: "10.0.0.1").GetCallerKey());

    [Fact]
    public void An_API_key_header_added_with_no_value_is_no_key()
    {
        // A header dictionary's Add keeps a header with no values (its indexer would remove it).
        HttpContext context = Request(address: "10.0.0.1");
        ((IDictionary<string, StringValues>)context.Request.Headers).Add(CallerKeyHttpContextExtensions.DefaultApiKeyHeader, StringValues.Empty);
        Assert.True(context.Request.Headers.ContainsKey(CallerKeyHttpContextExtensions.DefaultApiKeyHeader));

        Assert.Equal("ip:10.0.0.1", context.GetCallerKey());
    }

    [Theory]
    [InlineData("192.0.2.7", "ip:192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "ip:192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "ip:2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "ip:2001:db8:1:2::/64")]
    [InlineData("::1", "ip:::1")]
    public void An_address_is_the_key_an_IPv6_one_by_its_64_bit_network(string address, string expected)
        => Assert.Equal(expected, Request(address: address).GetCallerKey());

    [Fact]
    public void A_request_without_an_address_is_an_unknown_caller()
        => Assert.Equal("ip:unknown", Request().GetCallerKey());

    [Fact]
    public void Needs_a_request()
        => Assert.Throws<ArgumentNullException>("context", () => ((HttpContext)null!).GetCallerKey());

    private static ClaimsPrincipal Authenticated(params Claim[] claims) => new(new ClaimsIdentity(claims, authenticationType: "test"));

    private static HttpContext Request(ClaimsPrincipal? user = null, string? apiKey = null, string? address = null)
    {
        var context = new DefaultHttpContext();
        if (user is not null)
        {
            context.User = user;
        }

        if (apiKey is not null)
        {
            context.Request.Headers[CallerKeyHttpContextExtensions.DefaultApiKeyHeader] = apiKey;
        }

        if (address is not null)
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        }

        return context;
    }
}
