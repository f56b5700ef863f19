using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Hosting.Tests.Http;

/// <summary>
/// Which requests a resilient handler sends again, and that what it sends again is the whole request: the body of a
/// streamed request reaches the server in full on every attempt, which only the <see cref="ReplayableContentHandler"/>
/// that <c>AddResilientHandler</c> puts in front makes possible.
/// </summary>
public sealed class IdempotencyTests : HttpClientTest
{
    // Larger than the buffers a copy goes through, so that a body cut short or sent twice would show.
    private static readonly byte[] Payload = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public async Task A_request_that_changes_state_without_an_Idempotency_Key_is_sent_once_and_its_503_returned(string method)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(_ => StatusCodes.Status503ServiceUnavailable);
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);
        using var request = new HttpRequestMessage(new HttpMethod(method), "orders") { Content = new StreamContent(new NonSeekableStream(Payload)) };

        using HttpResponseMessage response = await Client(services).SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        ReceivedRequest received = Assert.Single(server.Requests);
        Assert.Equal(method, received.Method);
        Assert.Equal(Payload, received.Body);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public async Task A_request_that_changes_state_with_an_Idempotency_Key_is_retried_with_its_whole_streamed_body_each_time(string method)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(n => n <= 2 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status201Created);
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);
        using var request = new HttpRequestMessage(new HttpMethod(method), "orders") { Content = new StreamContent(new NonSeekableStream(Payload)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        request.Headers.Add(HttpRequests.IdempotencyKeyHeader, "order-7");

        using HttpResponseMessage response = await Client(services).SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        IReadOnlyList<ReceivedRequest> received = server.Requests;
        Assert.Equal(3, received.Count);
        Assert.All(received, r =>
        {
            Assert.Equal(method, r.Method);
            Assert.Equal("order-7", r.IdempotencyKey);
            Assert.Equal("application/x-ndjson", r.ContentType);
            Assert.Equal(Payload, r.Body);
        });
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task A_request_safe_to_repeat_is_sent_three_times_to_a_server_that_keeps_answering_503(string method)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(_ => StatusCodes.Status503ServiceUnavailable);
        await using ServiceProvider services = ClientServices<CatalogHandler>(server);
        using var request = new HttpRequestMessage(new HttpMethod(method), "orders/7");
        if (method == "PUT")
        {
            request.Content = new StreamContent(new NonSeekableStream(Payload));
        }

        using HttpResponseMessage response = await Client(services).SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        IReadOnlyList<ReceivedRequest> received = server.Requests;
        Assert.Equal(3, received.Count);
        Assert.All(received, r =>
        {
            Assert.Equal(method, r.Method);
            Assert.Equal(method == "PUT" ? Payload : [], r.Body);
        });
    }

    [Fact]
    public async Task A_POST_through_a_handler_marked_Idempotent_is_retried_without_an_Idempotency_Key_with_its_whole_streamed_body_each_time()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(n => n <= 2 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status201Created);
        await using ServiceProvider services = ClientServices<IdempotentHandler>(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = new StreamContent(new NonSeekableStream(Payload)) };

        using HttpResponseMessage response = await Client(services).SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        IReadOnlyList<ReceivedRequest> received = server.Requests;
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Equal(Payload, r.Body));
    }
}
