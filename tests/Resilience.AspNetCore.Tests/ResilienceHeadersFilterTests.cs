using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.AspNetCore.Tests;

/// <summary>
/// <see cref="ResilienceHeadersFilter"/> on its own, around endpoints that return or throw what a test gives them;
/// the response starts when the test says so. (The calls of real resilient methods are in <see cref="EndToEndTests"/>.)
/// </summary>
public sealed class ResilienceHeadersFilterTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task A_BrokenCircuitException_thrown_by_the_endpoint_is_rejected_and_names_its_breaker()
    {
        var (context, response) = NewRequest();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => Filter().InvokeAsync(context, Throwing(new BrokenCircuitException("payments", CircuitState.Open, TimeSpan.FromSeconds(3)))).AsTask());
        await response.StartAsync();

        Assert.Equal("rejected", Header(context, "X-Resilience-Status"));
        Assert.Equal("payments", Header(context, "X-Circuit-Breaker"));
    }

    [Theory]
    [InlineData(typeof(BulkheadRejectedException))]
    [InlineData(typeof(RateLimitRejectedException))]
    [InlineData(typeof(TimeoutRejectedException))]
    public async Task Other_rejections_and_resilience_timeouts_are_rejected_without_a_breaker(Type rejection)
    {
        Exception error = rejection == typeof(BulkheadRejectedException) ? new BulkheadRejectedException("db", 1, 0)
            : rejection == typeof(RateLimitRejectedException) ? new RateLimitRejectedException("api", TimeSpan.FromSeconds(1))
            : new TimeoutRejectedException("Shop.Client.Get", TimeSpan.FromSeconds(1));
        var (context, response) = NewRequest();

        await Assert.ThrowsAsync(rejection, () => Filter().InvokeAsync(context, Throwing(error)).AsTask());
        await response.StartAsync();

        Assert.Equal("rejected", Header(context, "X-Resilience-Status"));
        Assert.Null(Header(context, "X-Circuit-Breaker"));
    }

    [Fact]
    public async Task Any_other_exception_is_a_failure()
    {
        var (context, response) = NewRequest();

        await Assert.ThrowsAsync<InvalidOperationException>(() => Filter().InvokeAsync(context, Throwing(new InvalidOperationException("bug"))).AsTask());
        await response.StartAsync();

        Assert.Equal("failure", Header(context, "X-Resilience-Status"));
    }

    [Fact]
    public async Task The_endpoints_result_is_passed_on_and_marked_success()
    {
        var (context, response) = NewRequest();

        object? result = await Filter().InvokeAsync(context, _ => ValueTask.FromResult<object?>("answer"));
        await response.StartAsync();

        Assert.Equal("answer", result);
        Assert.Equal("success", Header(context, "X-Resilience-Status"));
        Assert.Equal("resilience;dur=0.0", Header(context, "Server-Timing"));
    }

    [Fact]
    public async Task Server_Timing_is_added_beside_the_timings_already_there()
    {
        var (context, response) = NewRequest();
        context.HttpContext.Response.Headers.Append("Server-Timing", "db;dur=2");

        await Filter().InvokeAsync(context, _ =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1.25));
            return ValueTask.FromResult<object?>(null);
        });
        await response.StartAsync();

        Assert.Equal(new[] { "db;dur=2", "resilience;dur=1.3" }, context.HttpContext.Response.Headers["Server-Timing"].ToArray());
    }

    [Fact]
    public async Task Server_Timing_gives_the_endpoints_time_not_the_time_until_the_response_starts()
    {
        var (context, response) = NewRequest();

        await Filter().InvokeAsync(context, _ =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(2));
            return ValueTask.FromResult<object?>(null);
        });
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        await response.StartAsync();

        Assert.Equal("resilience;dur=2.0", Header(context, "Server-Timing"));
    }

    [Fact]
    public async Task An_endpoint_that_starts_its_response_without_a_fallback_is_reported_as_success()
    {
        var (context, response) = NewRequest();

        await Filter().InvokeAsync(context, async _ =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(3));
            await response.StartAsync();
            _clock.Advance(TimeSpan.FromMilliseconds(4));
            return null;
        });

        Assert.Equal("success", Header(context, "X-Resilience-Status"));
        Assert.Equal("resilience;dur=3.0", Header(context, "Server-Timing"));
    }

    [Fact]
    public async Task Every_breaker_that_rejected_a_call_of_the_request_is_named_once_in_order()
    {
        string first = $"inventory-{Guid.NewGuid():N}";
        string second = $"payments-{Guid.NewGuid():N}";
        CircuitBreakerState inventory = OpenBreaker(first);
        var (context, response) = NewRequest();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => Filter().InvokeAsync(context, _ =>
        {
            Assert.False(inventory.TryEnter(out CircuitBreakerPermit _));
            Assert.False(inventory.TryEnter(out CircuitBreakerPermit _));
            return ValueTask.FromException<object?>(new BrokenCircuitException(second, CircuitState.Open, TimeSpan.FromSeconds(3)));
        }).AsTask());
        await response.StartAsync();

        Assert.Equal("rejected", Header(context, "X-Resilience-Status"));
        Assert.Equal($"{first}, {second}", Header(context, "X-Circuit-Breaker"));
    }

    [Fact]
    public async Task Of_the_breakers_that_rejected_a_call_only_those_the_options_allow_are_named()
    {
        string kept = $"payments-{Guid.NewGuid():N}";
        string first = $"inventory-{Guid.NewGuid():N}";
        string second = $"orders-{Guid.NewGuid():N}";
        CircuitBreakerState payments = OpenBreaker(kept);
        CircuitBreakerState inventory = OpenBreaker(first);
        var (context, response) = NewRequest();
        var filter = Filter(new ResilienceHeadersOptions { ExposeCircuitBreakerName = name => name != kept });

        await Assert.ThrowsAsync<BrokenCircuitException>(() => filter.InvokeAsync(context, _ =>
        {
            Assert.False(payments.TryEnter(out CircuitBreakerPermit _));
            Assert.False(inventory.TryEnter(out CircuitBreakerPermit _));
            return ValueTask.FromException<object?>(new BrokenCircuitException(second, CircuitState.Open, TimeSpan.FromSeconds(3)));
        }).AsTask());
        await response.StartAsync();

        Assert.Equal($"{first}, {second}", Header(context, "X-Circuit-Breaker"));
    }

    [Fact]
    public async Task A_filter_given_a_registry_of_its_own_names_that_registrys_breakers_too()
    {
        _ = Filter();
        using ResilienceScope scope = ResilienceScope.Begin();
        string name = $"payments-{Guid.NewGuid():N}";
        CircuitBreakerState payments = scope.Registry.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 60_000 });
        Assert.True(payments.TryEnter(out CircuitBreakerPermit permit));
        payments.RecordFailure(permit);
        var filter = new ResilienceHeadersFilter(Options.Create(new ResilienceHeadersOptions()), _clock, scope.Registry);
        var (context, response) = NewRequest();

        await filter.InvokeAsync(context, _ => ValueTask.FromResult<object?>(payments.TryEnter(out CircuitBreakerPermit _) ? "closed" : "rejected"));
        await response.StartAsync();

        Assert.Equal(name, Header(context, "X-Circuit-Breaker"));
    }

    [Fact]
    public async Task A_breaker_name_the_options_keep_back_is_not_sent()
    {
        var (context, response) = NewRequest();
        var filter = Filter(new ResilienceHeadersOptions { ExposeCircuitBreakerName = name => name != "payments" });

        await Assert.ThrowsAsync<BrokenCircuitException>(() => filter.InvokeAsync(context, Throwing(new BrokenCircuitException("payments", CircuitState.Isolated, null))).AsTask());
        await response.StartAsync();

        Assert.Equal("rejected", Header(context, "X-Resilience-Status"));
        Assert.Null(Header(context, "X-Circuit-Breaker"));
    }

    [Theory]
    [InlineData("payments", true)]
    [InlineData("orders-db", true)]
    [InlineData("video api", true)]
    [InlineData("Shop.PaymentsClient.GetReceiptAsync", false)]
    [InlineData("PaymentsClient.GetReceiptAsync", false)]
    [InlineData("_Shop.Outer.Inner.Get2", false)]
    [InlineData("payments.v2", false)]
    [InlineData("payments.2", true)]
    [InlineData("orders-db.eu", true)]
    [InlineData("Shop.Box`1.Get", false)]
    [InlineData("Shop.Outer`2.Inner.GetAsync", false)]
    [InlineData("Shop.Client.Get(int)", false)]
    [InlineData("Shop.Client.Get<T>(T)", false)]
    [InlineData("Shop.Client.Get(string?, params int[])", false)]
    [InlineData("Shop.Box`.Get", true)]
    [InlineData("payments (eu)", true)]
    [InlineData("Shop.Client.Get)", true)]
    [InlineData("Shop.Client.Get(int", true)]
    [InlineData("Shop.Box`T.Get", true)]
    [InlineData("Shop.Client.Get<T", true)]
    [InlineData("Shop.Client.Get>", true)]
    public void By_default_names_that_look_like_code_are_kept_back(string name, bool exposed)
        => Assert.Equal(exposed, new ResilienceHeadersOptions().ExposeCircuitBreakerName(name));

    [Theory]
    [InlineData("video api", "video api")]
    [InlineData("orders~eu", "orders~eu")]
    [InlineData(" payments", null)]
    [InlineData("payments ", null)]
    [InlineData("payments,orders", null)]
    [InlineData("paiements-été", null)]
    [InlineData("payments\tdb", null)]
    public async Task A_breaker_name_is_sent_only_when_it_is_printable_ASCII_without_a_comma_or_surrounding_spaces(string name, string? sent)
    {
        var filter = Filter(new ResilienceHeadersOptions { ExposeCircuitBreakerName = _ => true });
        var (context, response) = NewRequest();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => filter.InvokeAsync(context, Throwing(new BrokenCircuitException(name, CircuitState.Open, TimeSpan.FromSeconds(3)))).AsTask());
        await response.StartAsync();

        Assert.Equal("rejected", Header(context, "X-Resilience-Status"));
        Assert.Equal(sent, Header(context, "X-Circuit-Breaker"));
    }

    [Fact]
    public async Task WithResilienceHeaders_follows_the_options_configured_in_the_applications_services()
    {
        string name = $"payments-{Guid.NewGuid():N}";
        CircuitBreakerState payments = OpenBreaker(name);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.Configure<ResilienceHeadersOptions>(options => options.ExposeCircuitBreakerName = _ => false);
        await using WebApplication app = builder.Build();
        app.MapGet("/", () => payments.TryEnter(out CircuitBreakerPermit _) ? "closed" : "rejected").WithResilienceHeaders();
        await app.StartAsync();

        HttpResponseMessage response = await app.GetTestClient().GetAsync("/");

        Assert.Equal("rejected", await response.Content.ReadAsStringAsync());
        Assert.Equal("success", response.Header("X-Resilience-Status"));
        Assert.Null(response.Header("X-Circuit-Breaker"));
    }

    [Fact]
    public void The_options_refuse_a_null_predicate()
        => Assert.Throws<ArgumentNullException>("value", () => new ResilienceHeadersOptions { ExposeCircuitBreakerName = null! });

    [Fact]
    public void The_filter_needs_its_options()
        => Assert.Throws<ArgumentNullException>("options", () => new ResilienceHeadersFilter(null!));

    private ResilienceHeadersFilter Filter(ResilienceHeadersOptions? options = null)
        => new(Options.Create(options ?? new ResilienceHeadersOptions()), _clock);

    /// <summary>A breaker of the registry generated code uses, opened by one failure.</summary>
    private static CircuitBreakerState OpenBreaker(string name)
    {
        CircuitBreakerState breaker = ResilienceRegistry.Default.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 60_000 });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit);
        return breaker;
    }

    private static EndpointFilterDelegate Throwing(Exception error) => _ => ValueTask.FromException<object?>(error);

    private static (EndpointFilterInvocationContext Context, StartableResponse Response) NewRequest()
    {
        var http = new DefaultHttpContext();
        var response = new StartableResponse();
        http.Features.Set<IHttpResponseFeature>(response);
        return (new DefaultEndpointFilterInvocationContext(http), response);
    }

    private static string? Header(EndpointFilterInvocationContext context, string name)
        => context.HttpContext.Response.Headers.TryGetValue(name, out var values) ? values.ToString() : null;

    /// <summary>A response that runs its <c>OnStarting</c> callbacks, newest first, when the test starts it.</summary>
    private sealed class StartableResponse : HttpResponseFeature
    {
        private readonly Stack<(Func<object, Task> Callback, object State)> _onStarting = new();
        private bool _started;

        public override bool HasStarted => _started;

        public override void OnStarting(Func<object, Task> callback, object state) => _onStarting.Push((callback, state));

        public async Task StartAsync()
        {
            while (_onStarting.TryPop(out var entry))
            {
                await entry.Callback(entry.State);
            }

            _started = true;
        }
    }
}
