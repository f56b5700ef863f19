using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Samples.WebApi.Api;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Tests;

/// <summary>
/// What a caller of the API receives when a service fails and no fallback answers: the package's problem details
/// for rejections (503) and timeouts (504), the sample's for a failed service (502), and the resilience headers.
/// </summary>
public sealed class ProblemResponseTests : WebApiTest
{
    // Names that tell how the application is built: no body may hold them.
    private static readonly string[] s_internalNames =
        ["Resilience.Samples", "OrdersClient", "GetOrderAsync", DownstreamServices.OrdersDb, "Exception", "status code"];

    [Fact]
    public async Task An_open_breaker_answers_503_with_the_rest_of_the_break_and_names_the_breaker_in_a_header_only()
    {
        await SetModeAsync(DownstreamServices.OrdersDb, "failing");

        HttpResponseMessage rejected = await CallOrdersUntilTheBreakerRejectsAsync();

        await AssertProblemAsync(rejected, HttpStatusCode.ServiceUnavailable, "Service Unavailable");
        TimeSpan breakDuration = TimeSpan.FromMilliseconds(ResilienceRegistry.Default.CircuitBreaker(DownstreamServices.OrdersDb).Options.BreakDurationMs);
        Assert.Equal(breakDuration, rejected.Headers.RetryAfter?.Delta);
        Assert.Equal("rejected", Header(rejected, "X-Resilience-Status"));
        Assert.Equal(DownstreamServices.OrdersDb, Header(rejected, "X-Circuit-Breaker"));
    }

    [Fact]
    public async Task An_isolated_breaker_answers_503_without_Retry_After()
    {
        ResilienceRegistry.Default.CircuitBreaker(DownstreamServices.OrdersDb).Isolate();

        HttpResponseMessage rejected = await Client.GetAsync("/api/orders/42");

        await AssertProblemAsync(rejected, HttpStatusCode.ServiceUnavailable, "Service Unavailable");
        Assert.Null(rejected.Headers.RetryAfter);
        Assert.Equal(0, await DownstreamRequestsAsync(DownstreamServices.OrdersDb));
    }

    [Fact]
    public async Task A_failing_service_answers_502_without_its_error()
    {
        await SetModeAsync(DownstreamServices.OrdersDb, "failing");

        HttpResponseMessage failed = await GetMovingTheClockAsync("/api/orders/42", RetryStep);

        await AssertProblemAsync(failed, HttpStatusCode.BadGateway, "Bad Gateway", "(Service Unavailable)", "Simulated");
        Assert.Equal("failure", Header(failed, "X-Resilience-Status"));
        Assert.Equal(3, await DownstreamRequestsAsync(DownstreamServices.OrdersDb));
    }

    [Fact]
    public async Task A_slow_service_answers_504_once_every_attempt_timed_out()
    {
        await SetModeAsync(DownstreamServices.OrdersDb, "slow");

        // Each step moves the clock past the attempt's 2 s timeout, or past the retry's delay.
        HttpResponseMessage timedOut = await GetMovingTheClockAsync("/api/orders/42", TimeSpan.FromSeconds(2));

        await AssertProblemAsync(timedOut, HttpStatusCode.GatewayTimeout, "Gateway Timeout", "2 s");
        Assert.Null(timedOut.Headers.RetryAfter);
        Assert.Equal("rejected", Header(timedOut, "X-Resilience-Status"));
        Assert.Equal(3, await DownstreamRequestsAsync(DownstreamServices.OrdersDb));
    }

    [Fact]
    public async Task Each_answer_of_the_API_says_whether_the_services_or_a_fallback_gave_it()
    {
        HttpResponseMessage fromTheCache = await Client.GetAsync("/api/users/u1/recommendations");
        await SetModeAsync(DownstreamServices.Cache, "failing");
        HttpResponseMessage fromTheFallback = await Client.GetAsync("/api/users/u1/recommendations");

        Assert.Equal("success", Header(fromTheCache, "X-Resilience-Status"));
        Assert.Equal("fallback", Header(fromTheFallback, "X-Resilience-Status"));
        Assert.Matches(@"^resilience;dur=\d+\.\d$", Header(fromTheFallback, "Server-Timing"));
        Assert.Null(Header(fromTheFallback, "X-Circuit-Breaker"));
    }

    [Fact]
    public async Task The_simulated_services_are_not_given_the_APIs_headers()
    {
        HttpResponseMessage response = await Client.GetAsync("/downstream");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Header(response, "X-Resilience-Status"));
    }

    [Fact]
    public async Task The_sample_handler_leaves_every_exception_but_a_failed_service_to_the_others()
    {
        ServiceProvider services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services, Response = { Body = new MemoryStream() } };
        var handler = new DependencyFailureHandler(services.GetRequiredService<IProblemDetailsService>());

        Assert.False(await handler.TryHandleAsync(context, new InvalidOperationException("a bug"), CancellationToken.None));
        Assert.False(await handler.TryHandleAsync(context, new BrokenCircuitException("orders-db", CircuitState.Isolated, retryAfter: null), CancellationToken.None));
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(", ", values) : null;

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title, params string[] forbidden)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync();
        foreach (string name in s_internalNames.Concat(forbidden))
        {
            Assert.DoesNotContain(name, body, StringComparison.OrdinalIgnoreCase);
        }

        using JsonDocument problem = JsonDocument.Parse(body);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
    }
}
