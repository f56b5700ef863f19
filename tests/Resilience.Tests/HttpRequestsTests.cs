using System.Net;
using System.Net.Http;

namespace Resilience.Tests;

public sealed class HttpRequestsTests
{
    [Theory]
    [InlineData("https://api.example.com/orders/7?x=1", "https://api.example.com:443")]
    [InlineData("https://API.example.com:443/", "https://api.example.com:443")]
    [InlineData("http://api.example.com/", "http://api.example.com:80")]
    [InlineData("http://api.example.com:80/a", "http://api.example.com:80")]
    [InlineData("http://127.0.0.1:5001/health", "http://127.0.0.1:5001")]
    [InlineData("http://user:secret@host:8080/", "http://host:8080")]
    public void The_authority_is_scheme_host_and_port_without_path_query_or_credentials(string uri, string authority)
        => Assert.Equal(authority, HttpRequests.Authority(new HttpRequestMessage(HttpMethod.Get, uri)));

    [Fact]
    public void A_request_without_an_absolute_uri_has_an_empty_authority()
    {
        Assert.Equal(string.Empty, HttpRequests.Authority(new HttpRequestMessage(HttpMethod.Get, "/relative")));
        Assert.Equal(string.Empty, HttpRequests.Authority(new HttpRequestMessage()));
        Assert.Equal(string.Empty, HttpRequests.Authority(null));
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("PUT", true)]
    [InlineData("DELETE", true)]
    [InlineData("OPTIONS", true)]
    [InlineData("POST", false)]
    [InlineData("PATCH", false)]
    [InlineData("patch", false)]
    public void Only_post_and_patch_are_not_retried_without_an_idempotency_key(string method, bool mayRetry)
        => Assert.Equal(mayRetry, HttpRequests.MayRetry(new HttpRequestMessage(new HttpMethod(method), "https://example.com/")));

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public void An_idempotency_key_makes_post_and_patch_retriable(string method)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), "https://example.com/");
        request.Headers.Add(HttpRequests.IdempotencyKeyHeader, "9f1c");

        Assert.True(HttpRequests.MayRetry(request));
        Assert.True(HttpRequests.MayRetry(null));
    }
}
