using System.Net.Http;

namespace Resilience.Hosting.Tests.Http;

/// <summary>
/// The resilient handler most client tests put on their clients: three attempts a millisecond or so apart, a breaker
/// per host that opens after three failures in a row, and a total timeout long enough never to be reached unless a
/// call hangs.
/// </summary>
public sealed partial class CatalogHandler : DelegatingHandler
{
    public const string BreakerName = "http-tests.catalog";

    [Retry(3, DelayMs = 1, MaxDelayMs = 5_000)]
    [CircuitBreaker(3, Name = BreakerName, BreakDurationMs = 60_000)]
    [Timeout(10_000, Scope = TimeoutScope.Total)]
    protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);

    private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken)
        => base.SendAsync(request, cancellationToken);
}
