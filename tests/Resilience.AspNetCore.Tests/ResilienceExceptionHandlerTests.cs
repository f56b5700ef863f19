using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.AspNetCore.Tests;

/// <summary><see cref="ResilienceExceptionHandler"/> on its own, with exceptions made by hand.</summary>
public sealed class ResilienceExceptionHandlerTests
{
    public static TheoryData<Exception, int, string?> Rejections => new()
    {
        { new BrokenCircuitException("orders-db", CircuitState.Open, TimeSpan.FromSeconds(12.2)), StatusCodes.Status503ServiceUnavailable, "13" },
        { new BrokenCircuitException("orders-db", CircuitState.Isolated, retryAfter: null), StatusCodes.Status503ServiceUnavailable, null },
        { new BrokenCircuitException("orders-db", CircuitState.HalfOpen, retryAfter: null), StatusCodes.Status503ServiceUnavailable, null },
        { new BulkheadRejectedException("email", maxConcurrency: 4, maxQueue: 16), StatusCodes.Status503ServiceUnavailable, null },
        { new RateLimitRejectedException("video-api", TimeSpan.FromMilliseconds(80), permitLimit: 10), StatusCodes.Status429TooManyRequests, "1" },
        { new RateLimitRejectedException("video-api", TimeSpan.FromSeconds(3)), StatusCodes.Status429TooManyRequests, "3" },
        { new TimeoutRejectedException("Shop.OrdersClient.GetOrderAsync", TimeSpan.FromSeconds(2)), StatusCodes.Status504GatewayTimeout, null },
        { new TimeoutRejectedException("Shop.OrdersClient.GetOrderAsync", TimeSpan.FromSeconds(6), TimeoutScope.Total), StatusCodes.Status504GatewayTimeout, null },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Answers_rejections_with_429_or_503_and_timeouts_with_504_with_Retry_After_in_whole_seconds_rounded_up(Exception error, int status, string? retryAfter)
    {
        HttpContext context = NewContext();

        bool handled = await Handler(context).TryHandleAsync(context, error, CancellationToken.None);

        Assert.True(handled);
        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal(retryAfter, HeaderOrNull(context, "Retry-After"));
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
        using JsonDocument body = JsonDocument.Parse(Body(context));
        Assert.Equal(status, body.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain(error.Message, Body(context), StringComparison.Ordinal);
        Assert.DoesNotContain(error.GetType().Name, Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rate_limits_rejection_carries_the_RateLimit_headers()
    {
        HttpContext context = NewContext();

        await Handler(context).TryHandleAsync(context, new RateLimitRejectedException("search", TimeSpan.FromSeconds(4.5), permitLimit: 100), CancellationToken.None);

        Assert.Equal("100", HeaderOrNull(context, "RateLimit-Limit"));
        Assert.Equal("0", HeaderOrNull(context, "RateLimit-Remaining"));
        Assert.Equal("5", HeaderOrNull(context, "RateLimit-Reset"));
        Assert.Equal("5", HeaderOrNull(context, "Retry-After"));
    }

    [Fact]
    public async Task A_rate_limits_rejection_without_its_limit_or_its_wait_sends_only_what_it_knows()
    {
        HttpContext context = NewContext();

        await Handler(context).TryHandleAsync(context, new RateLimitRejectedException("search", retryAfter: null), CancellationToken.None);

        Assert.Equal(StatusCodes.Status429TooManyRequests, context.Response.StatusCode);
        Assert.Null(HeaderOrNull(context, "RateLimit-Limit"));
        Assert.Equal("0", HeaderOrNull(context, "RateLimit-Remaining"));
        Assert.Null(HeaderOrNull(context, "RateLimit-Reset"));
        Assert.Null(HeaderOrNull(context, "Retry-After"));
    }

    [Fact]
    public async Task Other_rejections_are_not_given_RateLimit_headers()
    {
        HttpContext context = NewContext();

        await Handler(context).TryHandleAsync(context, new BrokenCircuitException("orders-db", CircuitState.Open, TimeSpan.FromSeconds(1)), CancellationToken.None);

        Assert.Null(HeaderOrNull(context, "RateLimit-Limit"));
        Assert.Null(HeaderOrNull(context, "RateLimit-Remaining"));
    }

    public static TheoryData<Exception, string, string, string> Problems => new()
    {
        {
            new BrokenCircuitException("orders-db", CircuitState.Open, TimeSpan.FromSeconds(1)),
            "Service Unavailable",
            "https://tools.ietf.org/html/rfc9110#section-15.6.4",
            "The service cannot handle the request right now. Try again later."
        },
        {
            new RateLimitRejectedException("orders-db", TimeSpan.FromSeconds(1)),
            "Too Many Requests",
            "https://tools.ietf.org/html/rfc6585#section-4",
            "The request was refused because a rate limit was reached. Try again later."
        },
        {
            new TimeoutRejectedException("orders-db", TimeSpan.FromSeconds(1)),
            "Gateway Timeout",
            "https://tools.ietf.org/html/rfc9110#section-15.6.5",
            "A service this request depends on did not answer in time."
        },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public async Task The_body_is_problem_details_of_a_fixed_title_type_and_detail_per_status(Exception error, string title, string type, string detail)
    {
        HttpContext context = NewContext();

        await Handler(context).TryHandleAsync(context, error, CancellationToken.None);

        using JsonDocument body = JsonDocument.Parse(Body(context));
        Assert.Equal(title, body.RootElement.GetProperty("title").GetString());
        Assert.Equal(type, body.RootElement.GetProperty("type").GetString());
        Assert.Equal(detail, body.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("orders-db", Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leaves_other_exceptions_to_the_next_handler_untouched()
    {
        HttpContext context = NewContext();

        bool handled = await Handler(context).TryHandleAsync(context, new HttpRequestException("503", inner: null, HttpStatusCode.ServiceUnavailable), CancellationToken.None);

        Assert.False(handled);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Empty(context.Response.Headers);
        Assert.Empty(Body(context));
    }

    [Fact]
    public void Needs_a_problem_details_service()
        => Assert.Throws<ArgumentNullException>("problemDetails", () => new ResilienceExceptionHandler(null!));

    [Fact]
    public void AddResilienceProblemDetails_registers_the_handler_and_problem_details_once_however_often_it_is_called()
    {
        var services = new ServiceCollection();

        services.AddResilienceProblemDetails().AddResilienceProblemDetails();

        using ServiceProvider provider = services.AddLogging().BuildServiceProvider();
        IExceptionHandler handler = Assert.Single(provider.GetServices<IExceptionHandler>());
        Assert.IsType<ResilienceExceptionHandler>(handler);
        Assert.NotNull(provider.GetService<IProblemDetailsService>());
    }

    [Fact]
    public void AddResilienceProblemDetails_rejects_null()
        => Assert.Throws<ArgumentNullException>("services", () => ((IServiceCollection)null!).AddResilienceProblemDetails());

    private static ResilienceExceptionHandler Handler(HttpContext context)
        => new(context.RequestServices.GetRequiredService<IProblemDetailsService>());

    private static DefaultHttpContext NewContext()
    {
        ServiceProvider services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        return new DefaultHttpContext { RequestServices = services, Response = { Body = new MemoryStream() } };
    }

    private static string? HeaderOrNull(HttpContext context, string name)
        => context.Response.Headers.TryGetValue(name, out var values) ? values.ToString() : null;

    private static string Body(HttpContext context) => System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
