using System.Diagnostics;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>Idempotency keys kept in Redis: repeats answered on any instance, racing instances and processes sharing one run, Redis down.</summary>
[Collection(ServersCollection.Name)]
public sealed class IdempotencyTests
{
    private const string Policy = "Shop.Payments.ChargeAsync";

    private readonly SharedServers _servers;

    public IdempotencyTests(SharedServers servers) => _servers = servers;

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_repeat_that_lands_on_another_instance_is_answered_with_the_first_result(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, 2);
        IdempotentCall<string> first = await State(instances[0]).BeginAsync<string>("order-1", default);
        Assert.False(first.IsAnswered);
        await first.CompleteAsync("receipt-1");

        IdempotentCall<string> repeat = await State(instances[1]).BeginAsync<string>("order-1", default);

        Assert.True(repeat.IsAnswered);
        Assert.Equal("receipt-1", repeat.Result);
        Assert.IsType<RedisIdempotencyStore>(instances[1].IdempotencyStore);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Racing_instances_share_one_run_and_the_waiter_gets_its_result(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, 2);
        IdempotentCall<string> runner = await State(instances[0]).BeginAsync<string>("order-1", default);
        Task<IdempotentCall<string>> waiter = State(instances[1]).BeginAsync<string>("order-1", default).AsTask();

        // The second instance polls while the first holds the claim.
        await Task.Delay(200);
        Assert.False(waiter.IsCompleted);
        await runner.CompleteAsync("receipt-1");
        IdempotentCall<string> shared = await waiter.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(runner.IsAnswered);
        Assert.True(shared.IsAnswered);
        Assert.Equal("receipt-1", shared.Result);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_failed_run_releases_its_claim_so_a_waiting_instance_runs_the_key(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, 2);
        IdempotentCall<string> runner = await State(instances[0]).BeginAsync<string>("order-1", default);
        Task<IdempotentCall<string>> waiter = State(instances[1]).BeginAsync<string>("order-1", default).AsTask();

        runner.Fail(new InvalidOperationException("declined"), CancellationToken.None);
        IdempotentCall<string> second = await waiter.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(second.IsAnswered);
        await second.CompleteAsync("receipt-2");
        Assert.Equal("receipt-2", (await State(instances[0]).BeginAsync<string>("order-1", default)).Result);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task The_result_lives_in_Redis_for_the_time_to_live_under_a_key_of_the_policy(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, 1);
        IdempotencyState state = instances[0].GetOrAddIdempotency(Policy, new IdempotencyOptions { TtlMs = 3_600_000 });
        IdempotentCall<string> call = await state.BeginAsync<string>("order 1/with spaces", default);
        await call.CompleteAsync("receipt-1");

        string identity = Policy + "|~";
        RedisResult found = await instances.Database.ExecuteAsync("KEYS", instances.Prefix + ":idem:*");
        RedisKey resultKey = (string)((RedisResult[])found!).Single()!;
        Assert.StartsWith($"{instances.Prefix}:idem:{{{identity}", resultKey.ToString());
        Assert.EndsWith("}:result", resultKey.ToString());
        TimeSpan? ttl = await instances.Database.KeyTimeToLiveAsync(resultKey);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.Equal("\"receipt-1\"", (string?)await instances.Database.StringGetAsync(resultKey));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Two_processes_racing_one_key_charge_once(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        string prefix = "race" + Guid.NewGuid().ToString("N")[..8];
        string key = "order-" + Guid.NewGuid().ToString("N")[..8];
        List<Process> racers = Enumerable.Range(0, 2).Select(_ => StartRacer(server.Endpoint, prefix, key)).ToList();
        try
        {
            foreach (Process racer in racers)
            {
                Assert.Equal("ready", await ReadLineAsync(racer));
            }

            foreach (Process racer in racers)
            {
                await racer.StandardInput.WriteLineAsync("go");
                await racer.StandardInput.FlushAsync();
            }

            string[] receipts = await Task.WhenAll(racers.Select(ReadLineAsync));
            foreach (Process racer in racers)
            {
                await racer.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                Assert.True(racer.ExitCode == 0, $"A racer ended with {racer.ExitCode}: {await racer.StandardError.ReadToEndAsync()}");
            }

            Assert.All(receipts, r => Assert.StartsWith($"receipt {key}/run-1/process-", r));
            Assert.Single(receipts.Distinct());
            using ConnectionMultiplexer connection = server.Connect();
            Assert.Equal(1, (long)await connection.GetDatabase().StringGetAsync(prefix + ":runs"));
        }
        finally
        {
            foreach (Process racer in racers)
            {
                if (!racer.HasExited)
                {
                    racer.Kill(entireProcessTree: true);
                }

                racer.Dispose();
            }
        }
    }

    [Fact]
    public async Task With_Redis_down_keys_are_kept_locally_and_no_Redis_exception_reaches_the_caller()
    {
        int port = TestServer.FreeLoopbackPort();
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=200");
        var registry = new ResilienceRegistry();
        using RedisResilienceStore store = registry.UseRedis(connection, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromMilliseconds(200) });
        IdempotencyState state = State(registry);

        var elapsed = Stopwatch.StartNew();
        IdempotentCall<string> first = await state.BeginAsync<string>("order-1", default);
        await first.CompleteAsync("receipt-1");
        IdempotentCall<string> repeat = await state.BeginAsync<string>("order-1", default);
        elapsed.Stop();

        Assert.False(first.IsAnswered);
        Assert.True(repeat.IsAnswered);
        Assert.Equal("receipt-1", repeat.Result);
        Assert.False(((RedisIdempotencyStore)registry.IdempotencyStore).IsAvailable);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), $"The calls waited {elapsed.Elapsed} for a Redis that is down.");
    }

    private static IdempotencyState State(ResilienceRegistry registry) => registry.GetOrAddIdempotency(Policy, new IdempotencyOptions());

    private static Process StartRacer(string endpoint, string prefix, string key)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add(Program.IdempotencyRace);
        start.ArgumentList.Add(endpoint);
        start.ArgumentList.Add(prefix);
        start.ArgumentList.Add(key);
        return Process.Start(start) ?? throw new InvalidOperationException("The racer process did not start.");
    }

    private static async Task<string> ReadLineAsync(Process racer)
        => await racer.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
            ?? throw new InvalidOperationException($"The racer ended without a line: {await racer.StandardError.ReadToEndAsync()}");
}
