using System.Net;
using System.Net.Http.Headers;
using Resilience.AspNetCore.Tests.App;

namespace Resilience.AspNetCore.Tests;

/// <summary>
/// The package at work in a running application, through HTTP: the exception handler's answers and the filter's
/// headers. Every test runs twice: on the in-memory server of <c>WebApplicationFactory</c>, and on Kestrel with a
/// real <see cref="HttpClient"/>.
/// </summary>
public abstract class EndToEndTests : AppTest
{
    // ---- the exception handler --------------------------------------------------------------------

    [Fact]
    public async Task An_exhausted_rate_limit_answers_429_with_Retry_After_and_the_RateLimit_headers()
    {
        for (int i = 0; i < 2; i++)
        {
            HttpResponseMessage allowed = await Client.GetAsync("/api/search?q=shoes");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal("success", allowed.Header("X-Resilience-Status"));
        }

        HttpResponseMessage rejected = await Client.GetAsync("/api/search?q=shoes");

        await rejected.AssertProblemAsync(HttpStatusCode.TooManyRequests, "Too Many Requests", Names.SearchLimit);
        TimeSpan wait = Registry.RateLimiters.Single(l => l.Name == Names.SearchLimit).RetryAfter;
        string seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(wait, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1));
        Assert.Equal(seconds, rejected.Header("Retry-After"));
        Assert.Equal("2", rejected.Header("RateLimit-Limit"));
        Assert.Equal("0", rejected.Header("RateLimit-Remaining"));
        Assert.Equal(seconds, rejected.Header("RateLimit-Reset"));
        Assert.Equal("rejected", rejected.Header("X-Resilience-Status"));
        Assert.Null(rejected.Header("X-Circuit-Breaker"));
    }

    [Fact]
    public async Task An_open_circuit_answers_503_with_the_rest_of_the_break_and_names_its_breaker()
    {
        Catalog.StockFails = true;
        HttpResponseMessage failed = await Client.GetAsync("/api/stock/1");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("failure", failed.Header("X-Resilience-Status"));
        Assert.Equal(CircuitState.Open, Registry.CircuitBreaker(Names.Inventory).State);

        HttpResponseMessage rejected = await Client.GetAsync("/api/stock/1");
        Clock.Advance(TimeSpan.FromSeconds(10.5));
        HttpResponseMessage later = await Client.GetAsync("/api/stock/1");

        await rejected.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "Service Unavailable", Names.Inventory);
        Assert.Equal(TimeSpan.FromSeconds(30), rejected.Headers.RetryAfter?.Delta);
        Assert.Equal("rejected", rejected.Header("X-Resilience-Status"));
        Assert.Equal(Names.Inventory, rejected.Header("X-Circuit-Breaker"));
        Assert.Null(rejected.Header("RateLimit-Limit"));
        Assert.Equal(TimeSpan.FromSeconds(20), later.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task A_breaker_named_after_its_method_is_never_named_to_the_client()
    {
        Registry.CircuitBreaker(Names.UnnamedBreaker).Isolate();

        HttpResponseMessage rejected = await Client.GetAsync("/api/unnamed");

        await rejected.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "Service Unavailable", Names.UnnamedBreaker, "isolated");
        Assert.Null(rejected.Headers.RetryAfter);
        Assert.Equal("rejected", rejected.Header("X-Resilience-Status"));
        Assert.Null(rejected.Header("X-Circuit-Breaker"));
    }

    [Fact]
    public async Task A_breaker_name_that_a_header_cannot_carry_is_left_out()
    {
        Registry.CircuitBreaker(Names.NonAsciiBreaker).Isolate();

        HttpResponseMessage rejected = await Client.GetAsync("/api/cafe");

        await rejected.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "Service Unavailable", Names.NonAsciiBreaker);
        Assert.Equal("rejected", rejected.Header("X-Resilience-Status"));
        Assert.Null(rejected.Header("X-Circuit-Breaker"));
    }

    [Fact]
    public async Task A_full_bulkhead_answers_503_without_Retry_After()
    {
        Task<HttpResponseMessage> holding = Client.GetAsync("/api/report");
        BulkheadState reports = Registry.Bulkheads.Single(b => b.Name == Names.Reports);
        Assert.True(SpinWait.SpinUntil(() => reports.ActiveCount == 1, HangGuard), "The first report never took the bulkhead's slot.");

        HttpResponseMessage rejected = await Client.GetAsync("/api/report");
        Catalog.ReleaseReports();
        HttpResponseMessage held = await holding.WaitAsync(HangGuard);

        await rejected.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "Service Unavailable", Names.Reports, "slot");
        Assert.Null(rejected.Headers.RetryAfter);
        Assert.Equal("rejected", rejected.Header("X-Resilience-Status"));
        Assert.Null(rejected.Header("X-Circuit-Breaker"));
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        Assert.Equal("success", held.Header("X-Resilience-Status"));
    }

    [Fact]
    public async Task A_timeout_answers_504()
    {
        Task<HttpResponseMessage> call = Client.GetAsync("/api/slow");
        WaitForTimer(TimeSpan.FromMilliseconds(100));
        Clock.Advance(TimeSpan.FromMilliseconds(100));

        HttpResponseMessage timedOut = await call.WaitAsync(HangGuard);

        await timedOut.AssertProblemAsync(HttpStatusCode.GatewayTimeout, "Gateway Timeout", "100 ms");
        Assert.Null(timedOut.Headers.RetryAfter);
        Assert.Equal("rejected", timedOut.Header("X-Resilience-Status"));
    }

    [Fact]
    public async Task A_client_that_accepts_no_JSON_still_gets_the_status_and_the_headers()
    {
        await Client.GetAsync("/api/search?q=a");
        await Client.GetAsync("/api/search?q=a");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/search?q=a");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        HttpResponseMessage rejected = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.NotNull(rejected.Headers.RetryAfter);
        Assert.Equal("2", rejected.Header("RateLimit-Limit"));
        Assert.Empty(await rejected.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_the_filter_the_handler_still_answers_but_no_status_is_written()
    {
        Registry.CircuitBreaker(Names.Inventory).Isolate();

        HttpResponseMessage rejected = await Client.GetAsync("/plain/stock/1");

        await rejected.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "Service Unavailable");
        Assert.Null(rejected.Header("X-Resilience-Status"));
        Assert.Null(rejected.Header("X-Circuit-Breaker"));
        Assert.Null(rejected.Header("Server-Timing"));
    }

    // ---- the filter -------------------------------------------------------------------------------

    [Fact]
    public async Task A_call_answered_by_its_fallback_is_reported_as_fallback()
    {
        HttpResponseMessage answered = await Client.GetAsync("/api/recommend?fail=true");
        HttpResponseMessage succeeded = await Client.GetAsync("/api/recommend?fail=false");

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("popular", await answered.Content.ReadAsStringAsync());
        Assert.Equal("fallback", answered.Header("X-Resilience-Status"));
        Assert.Null(answered.Header("X-Circuit-Breaker"));
        Assert.Equal("personal", await succeeded.Content.ReadAsStringAsync());
        Assert.Equal("success", succeeded.Header("X-Resilience-Status"));
    }

    [Fact]
    public async Task A_fallback_that_answered_an_open_circuit_names_the_breaker()
    {
        Registry.CircuitBreaker(Names.Recommendations).Isolate();

        HttpResponseMessage answered = await Client.GetAsync("/api/recommend?fail=false");

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("popular", await answered.Content.ReadAsStringAsync());
        Assert.Equal("fallback", answered.Header("X-Resilience-Status"));
        Assert.Equal(Names.Recommendations, answered.Header("X-Circuit-Breaker"));
    }

    [Fact]
    public async Task Fifty_requests_at_once_each_see_their_own_status()
    {
        const int Requests = 50;
        string[] kinds = ["success", "fallback", "rejected"];
        Registry.CircuitBreaker(Names.IsolatedDependency).Isolate();
        Gate.Expected = Requests;

        HttpResponseMessage[] responses = await Task.WhenAll(
            Enumerable.Range(0, Requests).Select(i => Client.GetAsync("/api/mix/" + kinds[i % kinds.Length]))).WaitAsync(HangGuard);

        for (int i = 0; i < Requests; i++)
        {
            HttpResponseMessage response = responses[i];
            string kind = kinds[i % kinds.Length];
            Assert.Equal(kind, response.Header("X-Resilience-Status"));
            Assert.Equal(1, response.HeaderCount("X-Resilience-Status"));
            Assert.Matches(@"^resilience;dur=\d+\.\d$", response.Header("Server-Timing"));
            switch (kind)
            {
                case "success":
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal("personal", await response.Content.ReadAsStringAsync());
                    Assert.Null(response.Header("X-Circuit-Breaker"));
                    break;
                case "fallback":
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal("popular", await response.Content.ReadAsStringAsync());
                    Assert.Null(response.Header("X-Circuit-Breaker"));
                    break;
                default:
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    Assert.Equal(Names.IsolatedDependency, response.Header("X-Circuit-Breaker"));
                    break;
            }
        }
    }

    [Fact]
    public async Task Server_Timing_gives_the_endpoints_milliseconds_on_the_applications_clock()
    {
        HttpResponseMessage response = await Client.GetAsync("/api/timed");

        Assert.Equal("resilience;dur=12.3", response.Header("Server-Timing"));
        Assert.Equal("success", response.Header("X-Resilience-Status"));
    }

    [Fact]
    public async Task The_filter_added_by_type_takes_the_applications_clock()
    {
        HttpResponseMessage response = await Client.GetAsync("/typed/timed");

        Assert.Equal("resilience;dur=3.0", response.Header("Server-Timing"));
        Assert.Equal("success", response.Header("X-Resilience-Status"));
    }

    [Fact]
    public async Task A_request_through_the_filter_twice_is_reported_once()
    {
        HttpResponseMessage response = await Client.GetAsync("/twice/timed");

        Assert.Equal(1, response.HeaderCount("Server-Timing"));
        Assert.Equal("resilience;dur=7.0", response.Header("Server-Timing"));
        Assert.Equal(1, response.HeaderCount("X-Resilience-Status"));
    }

    [Fact]
    public async Task Another_exception_is_left_to_the_default_handling_and_reported_as_a_failure()
    {
        HttpResponseMessage response = await Client.GetAsync("/api/bug");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("failure", response.Header("X-Resilience-Status"));
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task An_endpoint_that_writes_its_response_has_the_headers_as_they_stood_when_it_began_writing()
    {
        HttpResponseMessage response = await Client.GetAsync("/api/stream");

        Assert.Equal("popular", await response.Content.ReadAsStringAsync());
        Assert.Equal("fallback", response.Header("X-Resilience-Status"));
        Assert.Equal("resilience;dur=5.0", response.Header("Server-Timing"));
    }

    // ---- caller keys ------------------------------------------------------------------------------

    [Fact]
    public async Task Each_API_key_has_a_limit_of_its_own()
    {
        HttpResponseMessage first = await GetWithApiKeyAsync("/api/per-caller", "key-a");
        HttpResponseMessage second = await GetWithApiKeyAsync("/api/per-caller", "key-a");
        HttpResponseMessage other = await GetWithApiKeyAsync("/api/per-caller", "key-b");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.DoesNotContain("key-a", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await second.AssertProblemAsync(HttpStatusCode.TooManyRequests, "Too Many Requests", Names.CallerLimit, "key-a");
        Assert.Equal("1", second.Header("RateLimit-Limit"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    private async Task<HttpResponseMessage> GetWithApiKeyAsync(string path, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", apiKey);
        return await Client.SendAsync(request);
    }
}

/// <summary><see cref="EndToEndTests"/> on the in-memory server of <c>WebApplicationFactory</c>.</summary>
public sealed class InMemoryServerTests : EndToEndTests
{
    protected override Task<RunningApp> StartAsync(TestClock clock) => Task.FromResult(RunningApp.InMemory(clock));
}

/// <summary><see cref="EndToEndTests"/> on Kestrel, listening on 127.0.0.1, called by a real <see cref="HttpClient"/>.</summary>
public sealed class KestrelServerTests : EndToEndTests
{
    protected override Task<RunningApp> StartAsync(TestClock clock) => RunningApp.OnKestrelAsync(clock);

    [Fact]
    public async Task A_caller_without_a_user_or_an_API_key_is_keyed_by_its_address()
    {
        Assert.Equal("ip:127.0.0.1", await Client.GetStringAsync("/api/caller"));
    }
}
