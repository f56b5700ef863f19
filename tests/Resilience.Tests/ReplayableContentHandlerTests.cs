using System.Net;
using System.Net.Http;
using System.Text;

namespace Resilience.Tests;

public sealed class ReplayableContentHandlerTests
{
    [Fact]
    public async Task A_streamed_body_of_a_retriable_request_can_be_read_by_every_attempt()
    {
        var recorder = new RecordingHandler();
        using var invoker = new HttpMessageInvoker(new ReplayableContentHandler(new SendTwice(recorder)));
        var request = new HttpRequestMessage(HttpMethod.Put, "https://example.com/") { Content = new StreamContent(new ForwardOnlyStream("payload")) };

        using HttpResponseMessage response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(new[] { "payload", "payload" }, recorder.Bodies);
    }

    [Fact]
    public async Task A_post_with_an_idempotency_key_is_buffered_too()
    {
        var recorder = new RecordingHandler();
        using var invoker = new HttpMessageInvoker(new ReplayableContentHandler(new SendTwice(recorder)));
        var request = new HttpRequestMessage(HttpMethod.Post, "https://example.com/") { Content = new StreamContent(new ForwardOnlyStream("charge")) };
        request.Headers.Add(HttpRequests.IdempotencyKeyHeader, "order-7");

        using HttpResponseMessage response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(new[] { "charge", "charge" }, recorder.Bodies);
    }

    [Fact]
    public async Task A_post_without_an_idempotency_key_is_passed_on_unbuffered()
    {
        var stream = new ForwardOnlyStream("once");
        long readBeforeSending = -1;
        var recorder = new RecordingHandler(onEntry: () => readBeforeSending = stream.BytesRead);
        using var invoker = new HttpMessageInvoker(new ReplayableContentHandler(recorder));
        var request = new HttpRequestMessage(HttpMethod.Post, "https://example.com/") { Content = new StreamContent(stream) };

        using HttpResponseMessage response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(new[] { "once" }, recorder.Bodies);
        Assert.Equal(0, readBeforeSending);
    }

    [Fact]
    public async Task A_retriable_request_is_read_into_memory_before_it_is_sent()
    {
        var stream = new ForwardOnlyStream("twice");
        long readBeforeSending = -1;
        var recorder = new RecordingHandler(onEntry: () => readBeforeSending = stream.BytesRead);
        using var invoker = new HttpMessageInvoker(new ReplayableContentHandler(recorder));
        var request = new HttpRequestMessage(HttpMethod.Put, "https://example.com/") { Content = new StreamContent(stream) };

        using HttpResponseMessage response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(5, readBeforeSending);
    }

    [Fact]
    public async Task A_cancelled_call_does_not_buffer_or_send()
    {
        var recorder = new RecordingHandler();
        using var invoker = new HttpMessageInvoker(new ReplayableContentHandler(recorder));
        var request = new HttpRequestMessage(HttpMethod.Put, "https://example.com/") { Content = new StreamContent(new ForwardOnlyStream("x")) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => invoker.SendAsync(request, new CancellationToken(canceled: true)));

        Assert.Empty(recorder.Bodies);
    }

    [Fact]
    public async Task The_buffered_copy_keeps_the_bodys_headers_with_the_length_that_was_read_and_the_original_is_disposed()
    {
        HttpContent? sent = null;
        var recorder = new RecordingHandler(onRequest: request => sent = request.Content);
        using var invoker = new HttpMessageInvoker(new ReplayableContentHandler(recorder));
        var stream = new ForwardOnlyStream("{\"sku\":7}");
        var original = new StreamContent(stream);
        original.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        original.Headers.ContentLanguage.Add("fr");
        var request = new HttpRequestMessage(HttpMethod.Put, "https://example.com/") { Content = original };

        using HttpResponseMessage response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.NotNull(sent);
        Assert.NotSame(original, sent);
        Assert.Equal("application/json", sent!.Headers.ContentType?.MediaType);
        Assert.Equal(new[] { "fr" }, sent.Headers.ContentLanguage);
        Assert.Equal(9, sent.Headers.ContentLength);
        Assert.True(stream.Disposed, "The original content was not disposed with its stream.");
    }

    [Fact]
    public async Task Created_for_a_handler_that_retries_every_request_it_buffers_a_post_without_an_idempotency_key()
    {
        var recorder = new RecordingHandler();
        using var invoker = new HttpMessageInvoker(new ReplayableContentHandler(everyRequestMayBeRetried: true) { InnerHandler = new SendTwice(recorder) });
        var request = new HttpRequestMessage(HttpMethod.Post, "https://example.com/") { Content = new StreamContent(new ForwardOnlyStream("charge")) };

        using HttpResponseMessage response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(new[] { "charge", "charge" }, recorder.Bodies);
    }

    [Fact]
    public void Only_the_constructor_that_says_so_buffers_every_request()
    {
        Assert.False(new ReplayableContentHandler().EveryRequestMayBeRetried);
        Assert.False(new ReplayableContentHandler(everyRequestMayBeRetried: false).EveryRequestMayBeRetried);
        Assert.True(new ReplayableContentHandler(everyRequestMayBeRetried: true).EveryRequestMayBeRetried);
    }

    [Fact]
    public async Task A_body_already_in_memory_and_a_request_without_a_body_are_sent_as_they_are()
    {
        var sent = new List<HttpContent?>();
        var recorder = new RecordingHandler(onRequest: request => sent.Add(request.Content));
        using var invoker = new HttpMessageInvoker(new ReplayableContentHandler(recorder));
        var inMemory = new StringContent("{\"sku\":7}");

        using HttpResponseMessage withBody = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Put, "https://example.com/") { Content = inMemory }, CancellationToken.None);
        using HttpResponseMessage withoutBody = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Put, "https://example.com/"), CancellationToken.None);

        Assert.Equal(2, sent.Count);
        Assert.Same(inMemory, sent[0]);
        Assert.Null(sent[1]);
        Assert.Equal(new[] { "{\"sku\":7}", string.Empty }, recorder.Bodies);
    }

    [Theory]
    [InlineData(3L)]
    [InlineData(3_000_000_000L)]
    public async Task The_buffered_copy_has_the_length_that_was_read_whatever_the_body_declared(long declaredLength)
    {
        HttpContent? sent = null;
        var recorder = new RecordingHandler(onRequest: request => sent = request.Content);
        using var invoker = new HttpMessageInvoker(new ReplayableContentHandler(new SendTwice(recorder)));
        var request = new HttpRequestMessage(HttpMethod.Put, "https://example.com/") { Content = new GatedContent("hello", declaredLength) };

        using HttpResponseMessage response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(new[] { "hello", "hello" }, recorder.Bodies);
        Assert.Equal(5, sent!.Headers.ContentLength);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task No_step_of_a_buffered_send_comes_back_to_the_callers_synchronization_context(bool bodyComesLater)
    {
        // Whichever comes later, the body being read or the answer of the handler inside, the rest of the send runs on
        // from there: a caller that blocks on its context (sync over async on a UI thread) does not deadlock.
        var later = new TaskCompletionSource();
        var body = new GatedContent("payload", declaredLength: 7, bodyComesLater ? later.Task : Task.CompletedTask);
        using var invoker = new HttpMessageInvoker(new ReplayableContentHandler(new AnswerWhen(bodyComesLater ? Task.CompletedTask : later.Task)));
        var request = new HttpRequestMessage(HttpMethod.Put, "https://example.com/") { Content = body };
        var caller = new BlockedSynchronizationContext();

        Task<HttpResponseMessage> sending = caller.Start(() => invoker.SendAsync(request, CancellationToken.None));
        Assert.False(sending.IsCompleted);
        later.SetResult();

        using HttpResponseMessage response = await sending.WaitAsync(TestSupport.HangGuard);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, caller.Posted);
    }

    /// <summary>Answers 200 once <paramref name="ready"/> completes, on whichever thread completes it.</summary>
    private sealed class AnswerWhen(Task ready) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await ready.ConfigureAwait(false);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    /// <summary>A body that declares a length of its own (right or wrong) and is written once <c>ready</c> completes.</summary>
    private sealed class GatedContent : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly Task _ready;

        public GatedContent(string text, long declaredLength, Task? ready = null)
        {
            _bytes = Encoding.UTF8.GetBytes(text);
            _ready = ready ?? Task.CompletedTask;
            Headers.ContentLength = declaredLength;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await _ready.ConfigureAwait(false);
            await stream.WriteAsync(_bytes).ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Reads each request's body to the end and answers 200.</summary>
    private sealed class RecordingHandler(Action? onEntry = null, Action<HttpRequestMessage>? onRequest = null) : HttpMessageHandler
    {
        private readonly List<string> _bodies = new();

        public IReadOnlyList<string> Bodies
        {
            get
            {
                lock (_bodies)
                {
                    return _bodies.ToArray();
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onEntry?.Invoke();
            onRequest?.Invoke(request);
            string body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            lock (_bodies)
            {
                _bodies.Add(body);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    /// <summary>Sends the same request twice to its inner handler, as a retrying handler does.</summary>
    private sealed class SendTwice(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            (await base.SendAsync(request, cancellationToken)).Dispose();
            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A stream that can be read once, forward only, like a network or pipe stream.</summary>
    private sealed class ForwardOnlyStream(string text) : Stream
    {
        private readonly MemoryStream _inner = new(Encoding.UTF8.GetBytes(text));

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public long BytesRead => _inner.Position;

        public bool Disposed { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
