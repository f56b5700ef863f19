using System.Net;
using System.Net.Http;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>Methods keyed by [CircuitBreakerKey], and a handler whose requests decide whether they may be retried.</summary>
public partial class KeyedBreakerSubject
{
    public const string TenantBreaker = "keyed-tests.tenant";
    public const string HostBreaker = "keyed-tests.host";
    public const string HoldBreaker = "keyed-tests.hold";

    /// <summary>The tenants whose calls fail.</summary>
    public HashSet<string> Failing { get; } = new();

    [CircuitBreaker(2, Name = TenantBreaker, BreakDurationMs = 60_000)]
    public partial Task<string> ForTenantAsync([CircuitBreakerKey] string tenant, CancellationToken ct);

    private Task<string> ForTenantAsyncCore(string tenant, CancellationToken ct)
        => Failing.Contains(tenant) ? Task.FromException<string>(new InvalidOperationException(tenant + " is down")) : Task.FromResult("ok:" + tenant);

    [CircuitBreaker(2, Name = TenantBreaker + ".sync", BreakDurationMs = 60_000)]
    public partial string ForTenant([CircuitBreakerKey] int tenant);

    private string ForTenantCore(int tenant) => Failing.Contains(tenant.ToString(System.Globalization.CultureInfo.InvariantCulture)) ? throw new InvalidOperationException("down") : "ok";
}

/// <summary>A handler as a user writes one: retries, a breaker per host, the response deciding.</summary>
public sealed partial class KeyedHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    [Retry(3, DelayMs = 0)]
    [CircuitBreaker(2, Name = KeyedBreakerSubject.HostBreaker, BreakDurationMs = 60_000)]
    protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);

    private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);
}

/// <summary>The same, for an operation its author made idempotent: POSTs are retried too.</summary>
public sealed partial class IdempotentHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    [Retry(3, DelayMs = 0)]
    [Idempotent]
    protected override partial Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);
}

/// <summary>A breaker that a response's Retry-After holds open.</summary>
public sealed partial class HoldingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    [CircuitBreaker(1, Name = KeyedBreakerSubject.HoldBreaker, BreakDurationMs = 1_000, HonorRetryAfter = true)]
    protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);

    private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);
}

/// <summary>Answers each host with its scripted statuses, the last repeated, and counts the requests per host.</summary>
public sealed class ScriptedHosts : HttpMessageHandler
{
    private readonly Dictionary<string, HttpStatusCode[]> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _requests = new(StringComparer.Ordinal);

    public TimeSpan? RetryAfter { get; set; }

    public ScriptedHosts Answer(string host, params HttpStatusCode[] statuses)
    {
        _statuses[host] = statuses;
        return this;
    }

    public int Requests(string host)
    {
        lock (_requests)
        {
            return _requests.TryGetValue(host, out int count) ? count : 0;
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string host = request.RequestUri!.Host;
        int count;
        lock (_requests)
        {
            count = _requests[host] = (_requests.TryGetValue(host, out int seen) ? seen : 0) + 1;
        }

        HttpStatusCode[] statuses = _statuses[host];
        var response = new HttpResponseMessage(statuses[Math.Min(count, statuses.Length) - 1]) { RequestMessage = request };
        if (RetryAfter is { } wait)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(wait);
        }

        return Task.FromResult(response);
    }
}

[Collection(RegistryCollection.Name)]
public sealed class KeyedBreakerBehaviourTests : RegistryTest
{
    private readonly KeyedBreakerSubject _subject = new();

    [Fact]
    public async Task Each_key_value_has_its_own_breaker_under_the_policys_name()
    {
        _subject.Failing.Add("acme");
        for (int i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => _subject.ForTenantAsync("acme", default).WaitAsync(HangGuard));
        }

        BrokenCircuitException rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.ForTenantAsync("acme", default).WaitAsync(HangGuard));
        Assert.Equal("ok:globex", await _subject.ForTenantAsync("globex", default).WaitAsync(HangGuard));

        Assert.Equal((KeyedBreakerSubject.TenantBreaker, "acme"), (rejected.PolicyName, rejected.Key));
        KeyedCircuitBreakerState breaker = Registry.KeyedCircuitBreaker(KeyedBreakerSubject.TenantBreaker);
        Assert.Equal(new (string?, CircuitState)[] { ("acme", CircuitState.Open), ("globex", CircuitState.Closed) }, breaker.Partitions.Select(p => (p.Key, p.State)));
    }

    [Fact]
    public void A_synchronous_method_is_keyed_too_and_a_value_type_key_is_shown_as_text()
    {
        _subject.Failing.Add("7");
        Assert.Throws<InvalidOperationException>(() => _subject.ForTenant(7));
        Assert.Throws<InvalidOperationException>(() => _subject.ForTenant(7));

        Assert.Throws<BrokenCircuitException>(() => _subject.ForTenant(7));
        Assert.Equal("ok", _subject.ForTenant(8));
        Assert.Equal("7", Assert.Single(Registry.KeyedCircuitBreaker(KeyedBreakerSubject.TenantBreaker + ".sync").NotClosedPartitions()).Key);
    }

    [Fact]
    public async Task A_request_is_keyed_by_its_authority_so_a_dead_host_does_not_break_a_healthy_one()
    {
        var hosts = new ScriptedHosts().Answer("dead", HttpStatusCode.ServiceUnavailable).Answer("alive", HttpStatusCode.OK);
        using var client = new HttpClient(new KeyedHandler(hosts));

        // Two 503s open the dead host's breaker, which then refuses the third attempt: the retry stops there.
        BrokenCircuitException opened = await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetAsync("https://dead/a").WaitAsync(HangGuard));
        BrokenCircuitException rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetAsync("https://dead/b").WaitAsync(HangGuard));
        using HttpResponseMessage healthy = await client.GetAsync("https://alive/c").WaitAsync(HangGuard);

        Assert.Equal("https://dead:443", opened.Key);
        Assert.Equal("https://dead:443", rejected.Key);
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Equal(2, hosts.Requests("dead"));
        Assert.Equal(1, hosts.Requests("alive"));
        Assert.Equal(2, Registry.KeyedCircuitBreaker(KeyedBreakerSubject.HostBreaker).PartitionCount);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public async Task A_post_or_patch_without_an_idempotency_key_is_sent_once_and_its_failed_response_returned(string method)
    {
        var hosts = new ScriptedHosts().Answer("api", HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = new HttpClient(new KeyedHandler(hosts));

        using HttpResponseMessage response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "https://api/charges")).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, hosts.Requests("api"));
    }

    [Theory]
    [InlineData("POST", true)]
    [InlineData("PUT", false)]
    [InlineData("DELETE", false)]
    [InlineData("GET", false)]
    public async Task An_idempotent_request_is_retried(string method, bool withKey)
    {
        var hosts = new ScriptedHosts().Answer("api", HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = new HttpClient(new KeyedHandler(hosts));
        var request = new HttpRequestMessage(new HttpMethod(method), "https://api/charges");
        if (withKey)
        {
            request.Headers.Add(HttpRequests.IdempotencyKeyHeader, "charge-42");
        }

        using HttpResponseMessage response = await client.SendAsync(request).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, hosts.Requests("api"));
    }

    [Fact]
    public async Task A_post_through_a_method_marked_idempotent_is_retried_without_a_key()
    {
        var hosts = new ScriptedHosts().Answer("api", HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = new HttpClient(new IdempotentHandler(hosts));

        using HttpResponseMessage response = await client.PostAsync("https://api/upsert", content: null).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, hosts.Requests("api"));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task The_429_or_503_that_opens_a_breaker_with_HonorRetryAfter_holds_it_open_for_its_retry_after(HttpStatusCode status)
    {
        var hosts = new ScriptedHosts { RetryAfter = TimeSpan.FromSeconds(30) }.Answer("busy", status);
        using var client = new HttpClient(new HoldingHandler(hosts));
        (await client.GetAsync("https://busy/").WaitAsync(HangGuard)).Dispose();

        Clock.Advance(TimeSpan.FromSeconds(5));
        BrokenCircuitException rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetAsync("https://busy/").WaitAsync(HangGuard));

        Assert.Equal(TimeSpan.FromSeconds(25), rejected.RetryAfter);
        Assert.Equal(1, hosts.Requests("busy"));
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task The_retry_after_of_another_failed_status_does_not_hold_a_breaker_with_HonorRetryAfter(HttpStatusCode status)
    {
        var hosts = new ScriptedHosts { RetryAfter = TimeSpan.FromSeconds(30) }.Answer("broken", status, HttpStatusCode.OK);
        using var client = new HttpClient(new HoldingHandler(hosts));
        (await client.GetAsync("https://broken/").WaitAsync(HangGuard)).Dispose();

        BrokenCircuitException rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetAsync("https://broken/").WaitAsync(HangGuard));
        Assert.Equal(TimeSpan.FromSeconds(1), rejected.RetryAfter);
        Clock.Advance(TimeSpan.FromSeconds(1));

        using HttpResponseMessage probe = await client.GetAsync("https://broken/").WaitAsync(HangGuard);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(2, hosts.Requests("broken"));
    }
}
