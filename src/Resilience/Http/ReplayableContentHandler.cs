using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// Makes a request's content readable more than once, so that a resilient handler inside this one can send the
/// request again: content that would be read from a stream is loaded into memory before the request goes on.
/// </summary>
/// <remarks>
/// <para>
/// Only requests that may be retried are buffered (see <see cref="HttpRequests.MayRetry"/>): a POST or PATCH without
/// an <c>Idempotency-Key</c> is sent once, as it is. Content already in memory (<see cref="ByteArrayContent"/>,
/// <see cref="StringContent"/>, <see cref="FormUrlEncodedContent"/>) is left alone.
/// </para>
/// <para>
/// <c>AddResilientHandler&lt;THandler&gt;()</c> of the <c>Resilience.Generators.Hosting</c> package puts it in front of
/// the resilient handler; put it there yourself when you build the handler chain by hand. Buffering holds the whole
/// body in memory: do not send bodies larger than you can hold through a retrying handler.
/// </para>
/// </remarks>
public sealed class ReplayableContentHandler : DelegatingHandler
{
    /// <summary>Creates the handler; its <see cref="DelegatingHandler.InnerHandler"/> is set by the client factory or by you.</summary>
    public ReplayableContentHandler()
    {
    }

    /// <summary>Creates the handler in front of <paramref name="innerHandler"/>.</summary>
    /// <param name="innerHandler">The handler that sends the request on, usually the resilient one.</param>
    public ReplayableContentHandler(HttpMessageHandler innerHandler)
        : base(innerHandler)
    {
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        HttpContent? content = request.Content;
        if (content is null || content is ByteArrayContent || !HttpRequests.MayRetry(request))
        {
            return base.SendAsync(request, cancellationToken);
        }

        return BufferThenSendAsync(request, content, cancellationToken);
    }

    private async Task<HttpResponseMessage> BufferThenSendAsync(HttpRequestMessage request, HttpContent content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await content.LoadIntoBufferAsync().ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
