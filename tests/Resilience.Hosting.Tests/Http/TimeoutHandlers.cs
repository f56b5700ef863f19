using System.Net.Http;

namespace Resilience.Hosting.Tests.Http;

/// <summary>Three attempts, each cut off after a second: far longer than a loopback answer takes, far shorter than a held one.</summary>
public sealed partial class PerAttemptTimeoutHandler : DelegatingHandler
{
    public const string BreakerName = "http-tests.per-attempt-timeout";
    public const int TimeoutMs = 1_000;

    [Retry(3, DelayMs = 1)]
    [CircuitBreaker(100, Name = BreakerName)]
    [Timeout(TimeoutMs)]
    protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);

    private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken)
        => base.SendAsync(request, cancellationToken);
}

/// <summary>Three attempts that together may take a second and a half.</summary>
public sealed partial class TotalTimeoutHandler : DelegatingHandler
{
    public const string BreakerName = "http-tests.total-timeout";
    public const int TimeoutMs = 1_500;

    [Retry(3, DelayMs = 1)]
    [CircuitBreaker(100, Name = BreakerName)]
    [Timeout(TimeoutMs, Scope = TimeoutScope.Total)]
    protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);

    private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken)
        => base.SendAsync(request, cancellationToken);
}
