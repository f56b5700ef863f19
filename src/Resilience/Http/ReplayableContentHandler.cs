using System;
using System.Collections.Generic;
using System.IO;
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
/// an <c>Idempotency-Key</c> is sent once, as it is, unless the handler was created for a resilient method marked
/// <see cref="IdempotentAttribute"/>, which retries every request. Content already in memory
/// (<see cref="ByteArrayContent"/>, <see cref="StringContent"/>, <see cref="FormUrlEncodedContent"/>) is left alone.
/// Other content is read with the call's <see cref="CancellationToken"/>, so that a body whose source stalls does not
/// outlive the call, and is replaced by an in-memory copy with the same headers; the original content is disposed,
/// as the request would have disposed it.
/// </para>
/// <para>
/// <c>AddResilientHandler&lt;THandler&gt;()</c> of the <c>Resilience.Generators.Hosting</c> package puts it in front of
/// the resilient handler; put it there yourself when you build the handler chain by hand. Buffering holds the whole
/// body in memory: do not send bodies larger than you can hold through a retrying handler.
/// </para>
/// </remarks>
public sealed class ReplayableContentHandler : DelegatingHandler
{
#if !NET5_0_OR_GREATER
    // What Stream.CopyToAsync uses when it is not told.
    private const int CopyBufferSize = 81_920;
#endif

    /// <summary>Creates the handler; its <see cref="DelegatingHandler.InnerHandler"/> is set by the client factory or by you.</summary>
    public ReplayableContentHandler()
    {
    }

    /// <summary>
    /// Creates the handler in front of a resilient handler that may retry every request, a POST or PATCH without an
    /// <c>Idempotency-Key</c> too: one whose method is marked <see cref="IdempotentAttribute"/>.
    /// </summary>
    /// <param name="everyRequestMayBeRetried">True to buffer the body of every request; false to buffer only those <see cref="HttpRequests.MayRetry"/> allows.</param>
    public ReplayableContentHandler(bool everyRequestMayBeRetried)
    {
        EveryRequestMayBeRetried = everyRequestMayBeRetried;
    }

    /// <summary>Creates the handler in front of <paramref name="innerHandler"/>.</summary>
    /// <param name="innerHandler">The handler that sends the request on, usually the resilient one.</param>
    public ReplayableContentHandler(HttpMessageHandler innerHandler)
        : base(innerHandler)
    {
    }

    /// <summary>
    /// True when the body of every request is buffered, because the handler inside is marked
    /// <see cref="IdempotentAttribute"/> and retries a POST or PATCH without an <c>Idempotency-Key</c> too.
    /// </summary>
    public bool EveryRequestMayBeRetried { get; }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        HttpContent? content = request.Content;
        if (content is null || content is ByteArrayContent || !(EveryRequestMayBeRetried || HttpRequests.MayRetry(request)))
        {
            return base.SendAsync(request, cancellationToken);
        }

        return BufferThenSendAsync(request, content, cancellationToken);
    }

    private async Task<HttpResponseMessage> BufferThenSendAsync(HttpRequestMessage request, HttpContent content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        request.Content = await CopyIntoMemoryAsync(content, cancellationToken).ConfigureAwait(false);
        content.Dispose();
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads <paramref name="content"/> into memory with <paramref name="cancellationToken"/>, which
    /// <see cref="HttpContent.LoadIntoBufferAsync()"/> cannot be given before .NET 9.
    /// </summary>
    private static async Task<ByteArrayContent> CopyIntoMemoryAsync(HttpContent content, CancellationToken cancellationToken)
    {
        // A known length sizes the buffer once; an unknown one (a stream that cannot seek) grows it as it is read.
        long? length = content.Headers.ContentLength;
        using var buffer = new MemoryStream(length is > 0 and <= int.MaxValue ? (int)length.Value : 0);
#if NET5_0_OR_GREATER
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
#else
        using (Stream source = await content.ReadAsStreamAsync().ConfigureAwait(false))
        {
            await source.CopyToAsync(buffer, CopyBufferSize, cancellationToken).ConfigureAwait(false);
        }
#endif

        var copy = new ByteArrayContent(buffer.GetBuffer(), 0, (int)buffer.Length);
        foreach (KeyValuePair<string, IEnumerable<string>> header in content.Headers)
        {
            // The copy computes its own length, which is the one that was read.
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return copy;
    }
}
