using System.Net;
using System.Text.Json;
using Resilience.AspNetCore.Tests.App;

namespace Resilience.AspNetCore.Tests;

/// <summary>Reading and checking the responses of the test application.</summary>
internal static class HttpAssertions
{
    /// <summary>The values of the response header <paramref name="name"/>, joined with commas; null when it is absent.</summary>
    public static string? Header(this HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(", ", values) : null;

    /// <summary>How many times the header <paramref name="name"/> was sent.</summary>
    public static int HeaderCount(this HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.Count() : 0;

    /// <summary>
    /// Checks that the response is RFC 9457 problem details of <paramref name="status"/> with <paramref name="title"/>,
    /// and that its body names none of the code's types, methods or namespaces, nor any of <paramref name="forbidden"/>.
    /// </summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string title, params string[] forbidden)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync();
        foreach (string name in Names.Internal.Concat(forbidden))
        {
            Assert.DoesNotContain(name, body, StringComparison.OrdinalIgnoreCase);
        }

        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement.Clone();
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        Assert.Equal(title, root.GetProperty("title").GetString());
        Assert.StartsWith("https://tools.ietf.org/html/rfc", root.GetProperty("type").GetString(), StringComparison.Ordinal);
        return root;
    }
}
