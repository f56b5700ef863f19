using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Samples.WebApi.Api;

namespace Resilience.Samples.WebApi.Tests;

public sealed class ResilienceExceptionHandlerTests
{
    public static TheoryData<Exception, int, string?> Failures => new()
    {
        { new BrokenCircuitException("orders-db", CircuitState.Open, TimeSpan.FromSeconds(12.2)), StatusCodes.Status503ServiceUnavailable, "13" },
        { new BrokenCircuitException("orders-db", CircuitState.Isolated, retryAfter: null), StatusCodes.Status503ServiceUnavailable, null },
        { new RateLimitRejectedException("video-api", TimeSpan.FromMilliseconds(80)), StatusCodes.Status503ServiceUnavailable, "1" },
        { new TimeoutRejectedException("orders-db", TimeSpan.FromSeconds(2)), StatusCodes.Status504GatewayTimeout, null },
        { new HttpRequestException("503 (Service Unavailable)", inner: null, HttpStatusCode.ServiceUnavailable), StatusCodes.Status502BadGateway, null },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Maps_rejections_to_503_with_Retry_After_timeouts_to_504_and_failures_to_502(Exception error, int status, string? retryAfter)
    {
        HttpContext context = NewContext();

        bool handled = await Handler(context).TryHandleAsync(context, error, CancellationToken.None);

        Assert.True(handled);
        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal(retryAfter, context.Response.Headers.RetryAfter.Count == 0 ? null : context.Response.Headers.RetryAfter.ToString());
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leaves_other_exceptions_to_the_default_handling()
    {
        HttpContext context = NewContext();

        Assert.False(await Handler(context).TryHandleAsync(context, new InvalidOperationException("a bug"), CancellationToken.None));
    }

    private static ResilienceExceptionHandler Handler(HttpContext context)
        => ActivatorUtilities.CreateInstance<ResilienceExceptionHandler>(context.RequestServices);

    private static DefaultHttpContext NewContext()
    {
        ServiceProvider services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        return new DefaultHttpContext { RequestServices = services, Response = { Body = new MemoryStream() } };
    }
}
