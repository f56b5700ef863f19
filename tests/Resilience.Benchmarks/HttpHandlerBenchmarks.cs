using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Resilience.Benchmarks;

/// <summary>
/// A request through a resilient <see cref="DelegatingHandler"/> (retry, breaker per authority, timeout per attempt)
/// against Microsoft.Extensions.Http.Resilience's handler over the same three Polly strategies, both in front of an
/// inner handler that answers at once: what the resilience costs per request, without the network.
/// </summary>
[MemoryDiagnoser]
[ExceptionDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HttpHandlerBenchmarks
{
    private readonly HttpRequestMessage _request = new(HttpMethod.Get, "http://bench.local/items/7");
    private HttpMessageInvoker _generated = null!;
    private HttpMessageInvoker _polly = null!;
    private HttpMessageInvoker _generatedRetrying = null!;
    private HttpMessageInvoker _pollyRetrying = null!;

    [GlobalSetup]
    public void Setup()
    {
        ResilienceRegistry.Default.Reset();
        _generated = new HttpMessageInvoker(new BenchHttpHandler { InnerHandler = new AnsweringHandler(everyOtherFails: false) });
        _polly = new HttpMessageInvoker(new ResilienceHandler(StandardPipeline()) { InnerHandler = new AnsweringHandler(everyOtherFails: false) });
        _generatedRetrying = new HttpMessageInvoker(new BenchHttpHandler { InnerHandler = new AnsweringHandler(everyOtherFails: true) });
        _pollyRetrying = new HttpMessageInvoker(new ResilienceHandler(StandardPipeline()) { InnerHandler = new AnsweringHandler(everyOtherFails: true) });
    }

    [Benchmark(Baseline = true), BenchmarkCategory("HttpOk")]
    public Task<HttpResponseMessage> HttpOkGenerated() => _generated.SendAsync(_request, CancellationToken.None);

    [Benchmark, BenchmarkCategory("HttpOk")]
    public Task<HttpResponseMessage> HttpOkPolly() => _polly.SendAsync(_request, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("Http503ThenOk")]
    public Task<HttpResponseMessage> Http503ThenOkGenerated() => _generatedRetrying.SendAsync(_request, CancellationToken.None);

    [Benchmark, BenchmarkCategory("Http503ThenOk")]
    public Task<HttpResponseMessage> Http503ThenOkPolly() => _pollyRetrying.SendAsync(_request, CancellationToken.None);

    /// <summary>Retry (3 attempts, no delay), a ratio breaker (90 %: the failure path fails half the attempts and must not open it), 2 s attempt timeout: what the generated handler has.</summary>
    private static ResiliencePipeline<HttpResponseMessage> StandardPipeline() => new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 2, Delay = TimeSpan.Zero, UseJitter = false })
        .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions { FailureRatio = 0.9 })
        .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(2) })
        .Build();

    /// <summary>Answers 200 at once (with a completed task it keeps), or 503 and 200 in turn.</summary>
    private sealed class AnsweringHandler(bool everyOtherFails) : HttpMessageHandler
    {
        private readonly Task<HttpResponseMessage> _ok = Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        private readonly Task<HttpResponseMessage> _unavailable = Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        private int _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => everyOtherFails && (++_calls & 1) == 1 ? _unavailable : _ok;
    }
}

/// <summary>The generated side of <see cref="HttpHandlerBenchmarks"/>.</summary>
public sealed partial class BenchHttpHandler : DelegatingHandler
{
    [Retry(3, DelayMs = 0, Jitter = false)]
    [CircuitBreaker(FailureRatio = 0.9, MinimumThroughput = 100, SamplingDurationMs = 30_000, BreakDurationMs = 5_000, Name = "bench-http")]
    [Timeout(2_000)]
    protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);

    private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);
}
