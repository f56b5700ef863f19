using System.Net;
using System.Net.Http;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Resilience.Generators.Tests.Behaviour;

public partial class ChaosSubject
{
    public const string Retried = "chaos.retried";
    public const string RetriedSyncName = "chaos.retried-sync";
    public const string Slow = "chaos.slow";
    public const string SlowSyncName = "chaos.slow-sync";
    public const string Answered = "chaos.answered";
    public const string Http = "chaos.http";

    public CoreScript Script { get; } = new();

    public int Sends { get; private set; }

    [Retry(3, DelayMs = 0)]
    [CircuitBreaker(3, BreakDurationMs = 60_000, Name = Retried)]
    public partial Task<int> RetriedAsync(CancellationToken cancellationToken);

    private Task<int> RetriedAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Retry(3, DelayMs = 0)]
    [CircuitBreaker(3, BreakDurationMs = 60_000, Name = RetriedSyncName)]
    public partial int RetriedSync(CancellationToken cancellationToken);

    private int RetriedSyncCore(CancellationToken cancellationToken) => Script.Run(cancellationToken);

    [Timeout(100)]
    [Bulkhead(10, Name = Slow)]
    public partial ValueTask<int> SlowAsync(CancellationToken cancellationToken);

    private ValueTask<int> SlowAsyncCore(CancellationToken cancellationToken) => new(Script.RunAsync(cancellationToken));

    [Bulkhead(10, Name = SlowSyncName)]
    public partial int SlowSync(CancellationToken cancellationToken);

    private int SlowSyncCore(CancellationToken cancellationToken) => Script.Run(cancellationToken);

    [Fallback(nameof(Recover))]
    [Bulkhead(10, Name = Answered)]
    public partial Task<int> AnsweredAsync(CancellationToken cancellationToken);

    private Task<int> AnsweredAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    private int Recover(CancellationToken cancellationToken, Exception error) => error is ChaosInjectedException ? -1 : -2;

    [Retry(2, DelayMs = 0)]
    [Idempotent]
    [Bulkhead(10, Name = Http)]
    public partial Task<HttpResponseMessage> GetAsync(CancellationToken cancellationToken);

    private Task<HttpResponseMessage> GetAsyncCore(CancellationToken cancellationToken)
    {
        Sends++;
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
    }
}

/// <summary>
/// Chaos injected by configuration into generated methods: where it sits in the pipeline (inside the retry, the breaker
/// and the per-attempt timeout, as a real failure would be), and that it is counted apart from real failures.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ChaosBehaviourTests : RegistryTest
{
    private readonly ChaosSubject _subject = new();

    public ChaosBehaviourTests() => Registry.AllowChaos = true;

    [Fact]
    public async Task Injected_faults_are_retried_counted_by_the_breaker_and_never_reach_the_core()
    {
        using var injections = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.chaos.injections");
        Configure(ChaosSubject.Retried, new ChaosSettings { FaultRate = 1 });

        await Assert.ThrowsAsync<ChaosInjectedException>(() => _subject.RetriedAsync(CancellationToken.None).WaitAsync(HangGuard));

        Assert.Equal(0, _subject.Script.Calls);
        Assert.Equal(CircuitState.Open, Registry.CircuitBreaker(ChaosSubject.Retried).State);
        CollectedMeasurement<long>[] faults = injections.GetMeasurementSnapshot()
            .Where(m => Equals(m.Tags["resilience.policy"], ChaosSubject.Retried)).ToArray();
        Assert.Equal(3, faults.Length);
        Assert.All(faults, m => Assert.Equal("fault", m.Tags["resilience.chaos.kind"]));
    }

    [Fact]
    public void Injected_faults_are_retried_and_counted_in_a_synchronous_method_too()
    {
        Configure(ChaosSubject.RetriedSyncName, new ChaosSettings { FaultRate = 1 });

        Assert.Throws<ChaosInjectedException>(() => _subject.RetriedSync(CancellationToken.None));

        Assert.Equal(0, _subject.Script.Calls);
        Assert.Equal(CircuitState.Open, Registry.CircuitBreaker(ChaosSubject.RetriedSyncName).State);
    }

    [Fact]
    public async Task Chaos_removed_by_a_new_configuration_stops_at_the_next_call()
    {
        Configure(ChaosSubject.Retried, new ChaosSettings { FaultRate = 1 });
        await Assert.ThrowsAsync<ChaosInjectedException>(() => _subject.RetriedAsync(CancellationToken.None).WaitAsync(HangGuard));
        Registry.CircuitBreaker(ChaosSubject.Retried).Reset();

        Registry.Configure(new Dictionary<string, PolicySettings>());

        Assert.Equal(1, await _subject.RetriedAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(1, _subject.Script.Calls);
    }

    [Fact]
    public async Task Seeded_faults_fail_some_attempts_which_the_retry_then_recovers()
    {
        // The draws fail some attempts and not others: each call ends in success, the core having run once, or in an
        // injected fault after its three attempts, the core never having run.
        Registry.Configure(new Dictionary<string, PolicySettings>
        {
            [ChaosSubject.Retried] = new() { FailureThreshold = 1_000, Chaos = new ChaosSettings { FaultRate = 0.5, Seed = 2024 } },
        });
        int successes = 0, failures = 0;

        for (int i = 0; i < 50; i++)
        {
            try
            {
                await _subject.RetriedAsync(CancellationToken.None).WaitAsync(HangGuard);
                successes++;
            }
            catch (ChaosInjectedException)
            {
                failures++;
            }
        }

        // A call fails only when all three of its draws fault: about one in eight.
        Assert.Equal(successes, _subject.Script.Calls);
        Assert.InRange(failures, 1, 15);
        Assert.Equal(50, successes + failures);
    }

    [Fact]
    public async Task Injected_latency_is_cut_short_by_the_per_attempt_timeout()
    {
        Configure(ChaosSubject.Slow, new ChaosSettings { LatencyMs = 500, LatencyRate = 1 });

        ValueTask<int> call = _subject.SlowAsync(CancellationToken.None);
        Clock.Advance(Ms(99));
        Assert.False(call.IsCompleted);
        Clock.Advance(Ms(1));

        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.AsTask().WaitAsync(HangGuard));
        Assert.Equal(Ms(100), timeout.Timeout);
        Assert.Equal(0, _subject.Script.Calls);
    }

    [Fact]
    public async Task Injected_latency_blocks_a_synchronous_method_before_its_call()
    {
        Configure(ChaosSubject.SlowSyncName, new ChaosSettings { LatencyMs = 50, LatencyRate = 1 });
        int timers = Clock.TimersCreated;

        Task<int> call = Task.Run(() => _subject.SlowSync(CancellationToken.None));
        WaitForTimers(timers + 1);
        Clock.Advance(Ms(49));
        Assert.Equal(0, _subject.Script.Calls);
        Clock.Advance(Ms(1));

        Assert.Equal(1, await call.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task The_fallback_answers_an_injected_fault()
    {
        Configure(ChaosSubject.Answered, new ChaosSettings { FaultRate = 1 });

        Assert.Equal(-1, await _subject.AnsweredAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(0, _subject.Script.Calls);
    }

    [Fact]
    public async Task An_injected_response_is_judged_as_a_real_one_and_returned_after_the_retries()
    {
        Configure(ChaosSubject.Http, new ChaosSettings { OutcomeRate = 1, OutcomeStatusCode = 503 });

        using HttpResponseMessage response = await _subject.GetAsync(CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.Contains(ChaosInjector.ChaosResponseHeader));
        Assert.Equal(0, _subject.Sends);
    }

    [Fact]
    public async Task Chaos_configured_for_another_name_leaves_a_method_alone()
    {
        Configure(ChaosSubject.Answered, new ChaosSettings { FaultRate = 1 });

        Assert.Equal(1, await _subject.RetriedAsync(CancellationToken.None).WaitAsync(HangGuard));
    }

    private static void Configure(string name, ChaosSettings chaos)
        => Registry.Configure(new Dictionary<string, PolicySettings> { [name] = new() { Chaos = chaos } });
}
