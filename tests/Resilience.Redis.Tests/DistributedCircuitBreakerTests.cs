using System.Diagnostics;
using Xunit.Abstractions;

namespace Resilience.Redis.Tests;

/// <summary>Circuit breakers marked Distributed, shared by several instances (registries, each with its own connection) on one server.</summary>
[Collection(ServersCollection.Name)]
public sealed class DistributedCircuitBreakerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // The break of the tests that wait for it to end: long enough for the probe lease (which lasts one break) to outlive
    // a busy machine's pauses.
    private const int BreakMs = 600;

    private readonly SharedServers _servers;
    private readonly ITestOutputHelper _output;

    public DistributedCircuitBreakerTests(SharedServers servers, ITestOutputHelper output)
    {
        _servers = servers;
        _output = output;
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_breaker_opened_by_failures_on_one_instance_rejects_on_every_instance(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 3);
        CircuitBreakerState[] breakers = Breakers(instances, breakMs: 60_000);

        Assert.True(breakers[0].TryEnter(out CircuitBreakerPermit permit));
        breakers[0].RecordFailure(permit);
        Assert.True(breakers[0].TryEnter(out permit));
        breakers[0].RecordFailure(permit);

        await Eventually(() => breakers.All(b => b.State == CircuitState.Open));
        Assert.False(breakers[2].TryEnter(out _));
        BrokenCircuitException rejection = breakers[2].CreateRejection();
        Assert.True(rejection.RetryAfter > TimeSpan.FromSeconds(50), $"RetryAfter is {rejection.RetryAfter}");
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Isolating_and_resetting_on_one_instance_does_the_same_on_every_instance(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 3);
        CircuitBreakerState[] breakers = Breakers(instances, breakMs: 60_000);

        breakers[1].Isolate();
        await Eventually(() => breakers.All(b => b.State == CircuitState.Isolated));

        breakers[2].Reset();
        await Eventually(() => breakers.All(b => b.State == CircuitState.Closed));
        Assert.True(breakers[0].TryEnter(out _));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task An_instance_that_starts_during_a_break_learns_of_it(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        CircuitBreakerState first = Breakers(instances, breakMs: 60_000)[0];
        first.Isolate();
        await Eventually(async () => await instances.Database.KeyExistsAsync(instances.Prefix + ":cb:{payments}:state"));

        (ResilienceRegistry late, _) = instances.Add();
        CircuitBreakerState lateBreaker = late.GetOrAddCircuitBreaker("payments", Options(60_000));

        await Eventually(() => lateBreaker.State == CircuitState.Isolated);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Only_one_instance_probes_a_half_open_dependency_and_its_success_closes_every_instance(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 3);
        CircuitBreakerState[] breakers = Breakers(instances, BreakMs);
        Assert.True(breakers[0].TryEnter(out CircuitBreakerPermit permit));
        breakers[0].RecordFailure(permit);
        breakers[0].TryEnter(out permit);
        breakers[0].RecordFailure(permit);
        await Eventually(() => breakers.All(b => b.State == CircuitState.Open));

        // After the break every instance keeps asking to probe: the first call of each is rejected while it asks for
        // the lease, and one of them gets it. The others keep rejecting until the prober decides.
        await Task.Delay(BreakMs + 100);
        var probes = new CircuitBreakerPermit[breakers.Length];
        var entries = new int[breakers.Length];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMilliseconds(BreakMs / 2) || entries.Sum() == 0)
        {
            Assert.True(clock.Elapsed < Patience, "No instance got the probe lease.");
            for (int i = 0; i < breakers.Length; i++)
            {
                if (breakers[i].TryEnter(out CircuitBreakerPermit entered))
                {
                    probes[i] = entered;
                    entries[i]++;
                }
            }

            await Task.Delay(5);
        }

        int prober = Assert.Single(Enumerable.Range(0, breakers.Length), i => entries[i] > 0);
        Assert.Equal(1, entries[prober]);
        Assert.Equal(CircuitState.HalfOpen, breakers[prober].State);

        breakers[prober].RecordSuccess(probes[prober]);
        await Eventually(() => breakers.All(b => b.State == CircuitState.Closed));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_failed_probe_opens_every_instance_again(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        CircuitBreakerState[] breakers = Breakers(instances, BreakMs);
        breakers[0].Isolate();
        await Eventually(() => breakers[1].State == CircuitState.Isolated);
        breakers[0].Reset();
        await Eventually(() => breakers[1].State == CircuitState.Closed);

        for (int i = 0; i < 2; i++)
        {
            Assert.True(breakers[1].TryEnter(out CircuitBreakerPermit failing));
            breakers[1].RecordFailure(failing);
        }

        await Eventually(() => breakers[0].State == CircuitState.Open);
        await Task.Delay(BreakMs + 100);
        CircuitBreakerPermit probe = default;
        await Eventually(() => breakers[0].TryEnter(out probe));
        Assert.False(breakers[1].TryEnter(out _));
        breakers[0].RecordFailure(probe);

        await Eventually(() => breakers[1].State == CircuitState.Open && breakers[1].CreateRejection().RetryAfter > TimeSpan.FromMilliseconds(BreakMs / 2));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_break_grown_by_a_failed_probe_is_the_break_every_instance_holds(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        CircuitBreakerState[] breakers = instances.All
            .Select(i => i.Registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = BreakMs, MaxBreakDurationMs = 60_000, Distributed = true }))
            .ToArray();
        Assert.True(breakers[1].TryEnter(out CircuitBreakerPermit failing));
        breakers[1].RecordFailure(failing);
        await Eventually(() => breakers[0].State == CircuitState.Open);

        await Task.Delay(BreakMs + 100);
        CircuitBreakerPermit probe = default;
        await Eventually(() => breakers[0].TryEnter(out probe));
        breakers[0].RecordFailure(probe);

        // The failed probe doubled the break; the other instance holds what is left of the doubled one, not of the first.
        Assert.InRange(breakers[0].CreateRejection().RetryAfter ?? TimeSpan.Zero, TimeSpan.FromMilliseconds(BreakMs * 3 / 2), TimeSpan.FromMilliseconds(2 * BreakMs));
        await Eventually(() => breakers[1].State == CircuitState.Open && breakers[1].CreateRejection().RetryAfter > TimeSpan.FromMilliseconds(BreakMs * 3 / 2));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_breaker_made_before_the_store_was_registered_or_made_distributed_by_configuration_follows_it(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        CircuitBreakerState source = Breakers(instances, breakMs: 60_000)[0];

        // As generated code does: the breakers exist (registered at load) before the application calls UseRedis.
        var late = new ResilienceRegistry();
        CircuitBreakerState early = late.GetOrAddCircuitBreaker("payments", Options(60_000));
        CircuitBreakerState configured = late.GetOrAddCircuitBreaker("configured", new CircuitBreakerOptions { FailureThreshold = 2 });
        CircuitBreakerState otherSource = instances[0].GetOrAddCircuitBreaker("configured", Options(60_000));
        using var connection = instances.Server.Connect();
        using RedisResilienceStore store = late.UseRedis(connection, new RedisResilienceOptions { KeyPrefix = instances.Prefix, OperationTimeout = TimeSpan.FromSeconds(5) });
        late.Configure(new Dictionary<string, PolicySettings> { ["configured"] = new() { Distributed = true } });

        source.Isolate();
        otherSource.Isolate();

        await Eventually(() => early.State == CircuitState.Isolated && configured.State == CircuitState.Isolated);
        late.UseDistributedStore(null);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_breaker_kept_per_key_shares_each_keys_state(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        KeyedCircuitBreakerState<string>[] breakers = instances.All
            .Select(i => i.Registry.GetOrAddKeyedCircuitBreaker<string>("per-host", Options(60_000))).ToArray();
        CircuitBreakerState remote = breakers[1].GetPartition("https://api.example.com");
        CircuitBreakerState other = breakers[1].GetPartition("https://other.example.com");

        breakers[0].GetPartition("https://api.example.com").Isolate();

        await Eventually(() => remote.State == CircuitState.Isolated);
        Assert.Equal(CircuitState.Closed, other.State);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_change_reaches_the_other_instances_quickly(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        CircuitBreakerState[] breakers = Breakers(instances, breakMs: 60_000);
        var times = new List<double>();

        for (int round = 0; round < 20; round++)
        {
            var clock = Stopwatch.StartNew();
            breakers[0].Isolate();
            await Eventually(() => breakers[1].State == CircuitState.Isolated, spin: true);
            times.Add(clock.Elapsed.TotalMilliseconds);
            breakers[0].Reset();
            await Eventually(() => breakers[1].State == CircuitState.Closed, spin: true);
        }

        // Measured, not asserted (speed belongs to benchmarks): the figure is reported in the test's output.
        times.Sort();
        _output.WriteLine($"{kind}: isolation seen by the other instance after {times[times.Count / 2]:0.00} ms (median of {times.Count}), {times[^1]:0.00} ms at most.");
        Assert.Equal(20, times.Count);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task The_closed_breakers_calls_make_no_round_trip_and_allocate_nothing(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        CircuitBreakerState breaker = Breakers(instances, breakMs: 60_000)[0];
        Warm(breaker);
        long operationsBefore = instances.OperationsOf(0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
            breaker.RecordSuccess(permit);
            Assert.True(breaker.TryEnter(out permit));
            breaker.RecordFailure(permit);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(operationsBefore, instances.OperationsOf(0));
        Assert.Equal(CircuitState.Closed, breaker.State);

        static void Warm(CircuitBreakerState breaker)
        {
            for (int i = 0; i < 10; i++)
            {
                breaker.TryEnter(out CircuitBreakerPermit permit);
                breaker.RecordSuccess(permit);
            }
        }
    }

    private static CircuitBreakerState[] Breakers(Instances instances, int breakMs)
        => instances.All.Select(i => i.Registry.GetOrAddCircuitBreaker("payments", Options(breakMs))).ToArray();

    private static CircuitBreakerOptions Options(int breakMs) => new() { FailureThreshold = 2, BreakDurationMs = breakMs, Distributed = true };

    private static Task Eventually(Func<bool> condition, bool spin = false) => Eventually(() => Task.FromResult(condition()), spin);

    private static async Task Eventually(Func<Task<bool>> condition, bool spin = false)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Patience, $"The condition did not hold within {Patience.TotalSeconds} s.");
            if (spin)
            {
                Thread.SpinWait(100);
                await Task.Yield();
            }
            else
            {
                await Task.Delay(5);
            }
        }
    }
}
