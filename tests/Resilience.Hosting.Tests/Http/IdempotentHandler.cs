using System.Net.Http;

namespace Resilience.Hosting.Tests.Http;

/// <summary>
/// A handler whose author declares every request it sends safe to repeat ([Idempotent]): a POST is retried
/// without an <c>Idempotency-Key</c>.
/// </summary>
public sealed partial class IdempotentHandler : DelegatingHandler
{
    public const string BreakerName = "http-tests.idempotent";

    [Idempotent]
    [Retry(3, DelayMs = 1)]
    [CircuitBreaker(100, Name = BreakerName)]
    protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);

    private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken)
        => base.SendAsync(request, cancellationToken);
}
