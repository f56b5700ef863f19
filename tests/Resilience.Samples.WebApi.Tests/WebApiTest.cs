using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Tests;

/// <summary>
/// Starts the sample on a reset registry for each test, and stops it and resets the registry afterwards: the
/// breakers live in <see cref="ResilienceRegistry.Default"/> for the whole process, and a reset also drops the
/// settings from configuration, which the next application applies again as it starts.
/// </summary>
public abstract class WebApiTest : IAsyncLifetime
{
    private SampleAppFactory? _factory;
    private HttpClient? _client;

    /// <summary>The running application.</summary>
    protected SampleAppFactory Factory => _factory ?? throw new InvalidOperationException("The application is not started.");

    /// <summary>A client of the running application.</summary>
    protected HttpClient Client => _client ?? throw new InvalidOperationException("The application is not started.");

    /// <summary>The application's clock.</summary>
    protected TestClock Clock => Factory.Clock;

    /// <summary>The shutdown delay the application is started with, in milliseconds.</summary>
    protected virtual int ReadinessDelayMs => 0;

    public Task InitializeAsync()
    {
        ResilienceRegistry.Default.Reset();
        _factory = new SampleAppFactory(ReadinessDelayMs);
        _client = _factory.CreateClient(); // starts the application
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        ResilienceRegistry.Default.Reset();
    }

    /// <summary>Forces a phase on a simulated service.</summary>
    protected async Task SetModeAsync(string service, string mode)
    {
        using HttpResponseMessage response = await Client.PostAsync($"/downstream/{service}/mode/{mode}", content: null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>How many requests a simulated service has received.</summary>
    protected async Task<long> DownstreamRequestsAsync(string service)
    {
        DownstreamStatus[] services = await Client.GetFromJsonAsync<DownstreamStatus[]>("/downstream", JsonOptions) ?? [];
        return services.Single(s => s.Service == service).Requests;
    }

    /// <summary>Sends a GET the way <see cref="SendMovingTheClockAsync"/> does.</summary>
    protected Task<HttpResponseMessage> GetMovingTheClockAsync(string path, TimeSpan step)
        => SendMovingTheClockAsync(() => Client.GetAsync(path), step);

    /// <summary>
    /// Sends a request, and each time the application arms a timer on the clock while the request runs, moves the
    /// clock on by <paramref name="step"/>: retry delays up to that long elapse, and the request completes. Steps
    /// well under the per-attempt timeouts never fire one: an attempt arms at most two timers.
    /// </summary>
    protected async Task<HttpResponseMessage> SendMovingTheClockAsync(Func<Task<HttpResponseMessage>> send, TimeSpan step)
    {
        long seen = Clock.ArmedTimers;
        Task<HttpResponseMessage> call = send();
        for (int steps = 0; ; steps++)
        {
            Assert.True(steps < 100, $"The request still runs after {steps} steps of the clock.");
            Task armed = Clock.WhenArmedMoreThan(seen);
            // A guard on real time, in case the request waits on something else than the clock.
            if (await Task.WhenAny(call, armed).WaitAsync(TimeSpan.FromSeconds(10)) == call)
            {
                return await call;
            }

            seen = Clock.ArmedTimers;
            Clock.Advance(step);
        }
    }

    /// <summary>
    /// Calls the orders API, moving the clock past each retry delay, until it answers 503 (the breaker rejects):
    /// before that, each call fails after its retries with 502.
    /// </summary>
    protected async Task<HttpResponseMessage> CallOrdersUntilTheBreakerRejectsAsync()
    {
        for (int call = 1; call <= 5; call++)
        {
            HttpResponseMessage response = await GetMovingTheClockAsync("/api/orders/42", RetryStep);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                return response;
            }

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }

        Assert.Fail("The orders-db breaker did not open after 5 calls to a failing database.");
        return null;
    }

    /// <summary>The orders client waits up to 100 ms, then up to 200 ms between attempts: one step of the clock covers either delay.</summary>
    protected static TimeSpan RetryStep { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The JSON options of the application's answers (enums as kebab-case strings).</summary>
    protected static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}
