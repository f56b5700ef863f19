using System.Net.Http;

namespace Resilience.Hosting.Tests.Http;

/// <summary>No retry; a breaker per host that one failure opens for 200 ms, or for as long as the failure's <c>Retry-After</c> asks.</summary>
public sealed partial class HonorRetryAfterHandler : DelegatingHandler
{
    public const string BreakerName = "http-tests.honor-retry-after";
    public const int BreakDurationMs = 200;

    [CircuitBreaker(1, BreakDurationMs = BreakDurationMs, HonorRetryAfter = true, Name = BreakerName)]
    protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);

    private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken)
        => base.SendAsync(request, cancellationToken);
}

/// <summary>As <see cref="HonorRetryAfterHandler"/>, but the break is always 200 ms, whatever the response asked.</summary>
public sealed partial class FixedBreakHandler : DelegatingHandler
{
    public const string BreakerName = "http-tests.fixed-break";
    public const int BreakDurationMs = 200;

    [CircuitBreaker(1, BreakDurationMs = BreakDurationMs, Name = BreakerName)]
    protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);

    private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken)
        => base.SendAsync(request, cancellationToken);
}
