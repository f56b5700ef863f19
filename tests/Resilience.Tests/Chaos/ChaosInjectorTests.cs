using System.Net;
using System.Net.Http;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.Tests.Telemetry;
using static Resilience.Tests.Telemetry.TelemetryTesting;

namespace Resilience.Tests.Chaos;

/// <summary>What a name's chaos settings inject into an attempt, with seeded draws and a fake clock.</summary>
public sealed class ChaosInjectorTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public ChaosInjectorTests()
    {
        _registry = TestSupport.CreateRegistry(out _clock);
        _registry.AllowChaos = true;
    }

    [Fact]
    public void A_fault_rate_of_one_fails_every_attempt_with_an_exception_that_names_the_policy()
    {
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure("always-fails", new ChaosSettings { FaultRate = 1 });

        for (int i = 0; i < 5; i++)
        {
            var error = Assert.Throws<ChaosInjectedException>(() => chaos.Inject(telemetry, CancellationToken.None));
            Assert.Equal("always-fails", error.PolicyName);
            Assert.Contains("Chaos injection failed this attempt of 'always-fails' on purpose", error.Message);
            Assert.Contains("set Chaos:Enabled to false under 'always-fails'", error.Message);
        }
    }

    [Fact]
    public void The_same_seed_injects_the_same_faults_in_the_same_order()
    {
        var settings = new ChaosSettings { FaultRate = 0.3, Seed = 1234 };
        bool[] first = Faults(Configure("seeded-a", settings), 200);
        bool[] second = Faults(Configure("seeded-b", settings), 200);
        bool[] otherSeed = Faults(Configure("seeded-c", new ChaosSettings { FaultRate = 0.3, Seed = 4321 }), 200);

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
        // About the rate asked for (the seed fixes the count; this bound only says the draws are uniform).
        Assert.InRange(first.Count(f => f), 40, 80);
    }

    [Fact]
    public void A_reload_starts_the_seeded_sequence_again()
    {
        var settings = new ChaosSettings { FaultRate = 0.5, Seed = 7 };
        bool[] before = Faults(Configure("reseeded", settings), 50);
        bool[] after = Faults(Configure("reseeded", settings), 50);

        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Injected_latency_waits_exactly_the_configured_time_on_the_registrys_clock_before_the_attempt()
    {
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure("slow", new ChaosSettings { LatencyMs = 500, LatencyRate = 1 });

        ValueTask injection = chaos.InjectAsync(telemetry, CancellationToken.None);
        Assert.False(injection.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(injection.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        await injection.AsTask().WaitAsync(TestSupport.HangGuard);
    }

    [Fact]
    public async Task Injected_latency_is_cut_short_by_the_attempts_token()
    {
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure("slow-canceled", new ChaosSettings { LatencyMs = 60_000, LatencyRate = 1 });
        using var attempt = new CancellationTokenSource();

        ValueTask injection = chaos.InjectAsync(telemetry, attempt.Token);
        attempt.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => injection.AsTask().WaitAsync(TestSupport.HangGuard));
    }

    [Fact]
    public async Task Latency_then_a_fault_fails_the_attempt_after_the_wait()
    {
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure("slow-then-failing", new ChaosSettings { LatencyMs = 100, LatencyRate = 1, FaultRate = 1 });

        ValueTask injection = chaos.InjectAsync(telemetry, CancellationToken.None);
        Assert.False(injection.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAsync<ChaosInjectedException>(() => injection.AsTask().WaitAsync(TestSupport.HangGuard));
    }

    [Fact]
    public void Nothing_is_injected_while_the_rates_are_zero()
    {
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure("quiet", new ChaosSettings { OutcomeRate = 1, Seed = 1 });

        chaos.Inject(telemetry, CancellationToken.None);
        Assert.True(chaos.InjectAsync(telemetry, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void An_injected_outcome_is_a_response_of_the_configured_status_marked_as_injected()
    {
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure("outcome", new ChaosSettings { OutcomeRate = 1, OutcomeStatusCode = 503 });

        Assert.True(chaos.TryInjectResponse(telemetry, out HttpResponseMessage? response));

        using (response)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(["outcome"], response.Headers.GetValues(ChaosInjector.ChaosResponseHeader));
        }
    }

    [Fact]
    public async Task Synchronous_injected_latency_blocks_for_exactly_the_configured_time_on_the_registrys_clock()
    {
        var clock = new CountingClock();
        var registry = new ResilienceRegistry { TimeProvider = clock, AllowChaos = true };
        registry.Configure(new Dictionary<string, PolicySettings> { ["slow-sync"] = new() { Chaos = new ChaosSettings { LatencyMs = 500, LatencyRate = 1 } } });
        ChaosInjector chaos = registry.GetLivePolicySettings("slow-sync").Overrides!.Chaos!;

        Task blocked = Task.Run(() => chaos.Inject(registry.GetTelemetry("slow-sync", "Shop.Client.Get"), CancellationToken.None));
        TestSupport.SpinUntil(() => clock.Created == 1, "the latency started");
        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(blocked.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        await blocked.WaitAsync(TestSupport.HangGuard);
    }

    [Fact]
    public void A_latency_given_with_a_rate_of_zero_is_never_injected()
    {
        var clock = new CountingClock();
        var registry = new ResilienceRegistry { TimeProvider = clock, AllowChaos = true };
        var recorder = new ChaosRecorder();
        using IDisposable registration = registry.AddListener(recorder);
        registry.Configure(new Dictionary<string, PolicySettings> { ["fails-fast"] = new() { Chaos = new ChaosSettings { LatencyMs = 500, LatencyRate = 0, FaultRate = 1 } } });
        ChaosInjector chaos = registry.GetLivePolicySettings("fails-fast").Overrides!.Chaos!;
        MethodTelemetry telemetry = registry.GetTelemetry("fails-fast", "Shop.Client.Get");

        // The fault comes at once, from the call itself, without waiting: nothing was delayed (a wait on the fake
        // clock would end only when the guard cancels it).
        using var guard = new CancellationTokenSource(TestSupport.HangGuard);
        Assert.Throws<ChaosInjectedException>(() => chaos.InjectAsync(telemetry, guard.Token).IsCompleted);
        Assert.Throws<ChaosInjectedException>(() => chaos.Inject(telemetry, guard.Token));

        Assert.Equal(0, clock.Created);
        Assert.Equal([ChaosInjection.Fault, ChaosInjection.Fault], recorder.Injections.Select(e => e.Injection));
    }

    [Fact]
    public void No_response_is_injected_while_the_outcome_rate_is_zero()
    {
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure("faults-only", new ChaosSettings { FaultRate = 0.5, OutcomeStatusCode = 503, Seed = 3 });

        for (int i = 0; i < 20; i++)
        {
            Assert.False(chaos.TryInjectResponse(telemetry, out HttpResponseMessage? response));
            Assert.Null(response);
        }
    }

    [Fact]
    public void An_injected_response_is_described_as_injected_wherever_it_is_reported()
    {
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure("described", new ChaosSettings { OutcomeRate = 1, OutcomeStatusCode = 503 });
        Assert.True(chaos.TryInjectResponse(telemetry, out HttpResponseMessage? response));

        using (response)
        {
            // What a retry event, a handled-result exception and a log show: not the dependency's own "Service Unavailable".
            string described = new HandledResultException("described", response).Message;
            Assert.Contains("503 (", described);
            Assert.Contains("chaos", described, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task The_fault_after_injected_latency_is_drawn_off_the_callers_synchronization_context()
    {
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure("slow-on-ui", new ChaosSettings { LatencyMs = 100, LatencyRate = 1, FaultRate = 1 });
        var caller = new BlockedSynchronizationContext();

        Task injection = caller.Start(() => chaos.InjectAsync(telemetry, CancellationToken.None).AsTask());
        _clock.Advance(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAsync<ChaosInjectedException>(() => injection.WaitAsync(TestSupport.HangGuard));
        Assert.Equal(0, caller.Posted);
    }

    [Fact]
    public void Every_injection_is_counted_by_kind_on_its_own_instrument_and_told_to_listeners()
    {
        using MetricCollector<long> injections = Collect<long>("resilience.chaos.injections");
        var recorder = new ChaosRecorder();
        using IDisposable registration = _registry.AddListener(recorder);
        string name = UniqueName("chaos");
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure(name, new ChaosSettings { LatencyMs = 1, LatencyRate = 1, FaultRate = 1, OutcomeRate = 1 });

        ValueTask injection = chaos.InjectAsync(telemetry, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Throws<ChaosInjectedException>(() => injection.AsTask().GetAwaiter().GetResult());
        Assert.True(chaos.TryInjectResponse(telemetry, out HttpResponseMessage? response));
        response.Dispose();

        IReadOnlyList<CollectedMeasurement<long>> measured = injections.For(name);
        Assert.Equal(new object[] { "latency", "fault", "outcome" }, measured.Select(m => m.Tag("resilience.chaos.kind")));
        Assert.All(measured, m => Assert.Equal("Shop.Client.Get", m.Tag("resilience.method")));
        Assert.Equal([ChaosInjection.Latency, ChaosInjection.Fault, ChaosInjection.Outcome], recorder.Injections.Select(e => e.Injection));
        Assert.All(recorder.Injections, e => Assert.Equal(name, e.PolicyName));
    }

    [Fact]
    public void Draws_from_many_threads_are_each_taken_once()
    {
        // With a shared seeded sequence, threads racing for draws still take each value of it once: the faults
        // injected over all threads are exactly those of the same number of draws made on one thread.
        var settings = new ChaosSettings { FaultRate = 0.5, Seed = 99 };
        int expected = Faults(Configure("threads-reference", settings), 8 * 5_000).Count(f => f);
        (ChaosInjector chaos, MethodTelemetry telemetry) = Configure("threads", settings);
        int faults = 0;

        TestSupport.RunOnThreads(8, _ =>
        {
            for (int i = 0; i < 5_000; i++)
            {
                try
                {
                    chaos.Inject(telemetry, CancellationToken.None);
                }
                catch (ChaosInjectedException)
                {
                    Interlocked.Increment(ref faults);
                }
            }
        });

        Assert.Equal(expected, faults);
    }

    private (ChaosInjector Chaos, MethodTelemetry Telemetry) Configure(string name, ChaosSettings settings)
    {
        _registry.Configure(new Dictionary<string, PolicySettings> { [name] = new() { Chaos = settings } });
        ChaosInjector chaos = _registry.GetLivePolicySettings(name).Overrides?.Chaos ?? throw new InvalidOperationException("No chaos was configured.");
        return (chaos, _registry.GetTelemetry(name, "Shop.Client.Get"));
    }

    private static bool[] Faults((ChaosInjector Chaos, MethodTelemetry Telemetry) injector, int attempts)
    {
        var faults = new bool[attempts];
        for (int i = 0; i < attempts; i++)
        {
            try
            {
                injector.Chaos.Inject(injector.Telemetry, CancellationToken.None);
            }
            catch (ChaosInjectedException)
            {
                faults[i] = true;
            }
        }

        return faults;
    }

    private sealed class ChaosRecorder : ResilienceListener
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<ChaosEventArgs> _injections = new();

        public IReadOnlyList<ChaosEventArgs> Injections => _injections.ToArray();

        public override void OnChaosInjected(ChaosEventArgs e) => _injections.Enqueue(e);
    }
}
