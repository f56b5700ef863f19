using System.Net.Http;

namespace Resilience.Tests;

public sealed class HttpAuthorityTests
{
    [Theory]
    [InlineData("https://api.example.com/orders/7", "https://API.Example.com:443/other?x=1")]
    [InlineData("http://api.example.com/", "http://api.example.com:80/a")]
    [InlineData("http://user:secret@host:8080/", "http://host:8080/")]
    [InlineData("https://[::1]:8443/x", "https://[0:0:0:0:0:0:0:1]:8443/y")]
    public void Requests_to_one_scheme_host_and_port_have_one_authority(string one, string other)
    {
        HttpAuthority a = HttpAuthority.Of(new HttpRequestMessage(HttpMethod.Get, one));
        HttpAuthority b = HttpAuthority.Of(new HttpRequestMessage(HttpMethod.Get, other));

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Theory]
    [InlineData("https://api.example.com/", "http://api.example.com/")]
    [InlineData("https://api.example.com/", "https://api.example.com:8443/")]
    [InlineData("https://api.example.com/", "https://eu.api.example.com/")]
    public void A_different_scheme_port_or_host_is_another_authority(string one, string other)
    {
        HttpAuthority a = HttpAuthority.Of(new Uri(one));
        HttpAuthority b = HttpAuthority.Of(new Uri(other));

        Assert.NotEqual(a, b);
        Assert.True(a != b);
        Assert.False(a.Equals((object)b));
    }

    [Theory]
    [InlineData("https://api.example.com/orders/7?x=1", "https", "api.example.com", 443, "https://api.example.com:443")]
    [InlineData("http://127.0.0.1:5001/health", "http", "127.0.0.1", 5001, "http://127.0.0.1:5001")]
    [InlineData("https://[::1]:8443/", "https", "[::1]", 8443, "https://[::1]:8443")]
    public void Its_parts_and_text_name_where_the_request_goes(string uri, string scheme, string host, int port, string text)
    {
        HttpAuthority authority = HttpAuthority.Of(new Uri(uri));

        Assert.Equal(scheme, authority.Scheme);
        Assert.Equal(host, authority.Host);
        Assert.Equal(port, authority.Port);
        Assert.Equal(text, authority.ToString());
        Assert.Equal(text, HttpRequests.Authority(new HttpRequestMessage(HttpMethod.Get, uri)));
    }

    [Fact]
    public void A_request_without_an_absolute_uri_has_the_empty_authority()
    {
        HttpAuthority relative = HttpAuthority.Of(new HttpRequestMessage(HttpMethod.Get, "/relative"));

        Assert.Equal(default, relative);
        Assert.Equal(default, HttpAuthority.Of(new HttpRequestMessage()));
        Assert.Equal(default, HttpAuthority.Of((HttpRequestMessage?)null));
        Assert.Equal(default, HttpAuthority.Of((Uri?)null));
        Assert.Equal(string.Empty, relative.Scheme);
        Assert.Equal(string.Empty, relative.Host);
        Assert.Equal(0, relative.Port);
        Assert.Equal(string.Empty, relative.ToString());
        Assert.NotEqual(relative, HttpAuthority.Of(new Uri("http://localhost/")));
    }

    [Fact]
    public void A_keyed_breaker_keeps_one_partition_per_authority_named_by_its_text()
    {
        var registry = new ResilienceRegistry();
        KeyedCircuitBreakerState<HttpAuthority> breakers = registry.GetOrAddKeyedCircuitBreaker<HttpAuthority>("hosts", new CircuitBreakerOptions { FailureThreshold = 1 });

        CircuitBreakerState first = breakers.GetPartition(HttpAuthority.Of(new Uri("https://a.example.com/one")));
        CircuitBreakerState again = breakers.GetPartition(HttpAuthority.Of(new Uri("https://A.EXAMPLE.COM:443/two")));
        CircuitBreakerState other = breakers.GetPartition(HttpAuthority.Of(new Uri("https://b.example.com/")));

        Assert.Same(first, again);
        Assert.NotSame(first, other);
        Assert.Equal(2, breakers.PartitionCount);
        Assert.Equal("https://a.example.com:443", first.Key);
    }
}
