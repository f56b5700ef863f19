using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>Rate limits marked Distributed, shared by several instances (registries, each with its own connection) on one server.</summary>
[Collection(ServersCollection.Name)]
public sealed class DistributedRateLimitTests
{
    // Long windows: no permit comes back, and no fixed window ends, while a test runs.
    private const int Permits = 20;
    private const int LongWindowMs = 86_400_000;

    private readonly SharedServers _servers;

    public DistributedRateLimitTests(SharedServers servers) => _servers = servers;

    public static TheoryData<ServerKind, RateLimitAlgorithm> KindsAndAlgorithms()
    {
        var data = new TheoryData<ServerKind, RateLimitAlgorithm>();
        foreach (ServerKind kind in Enum.GetValues<ServerKind>())
        {
            foreach (RateLimitAlgorithm algorithm in Enum.GetValues<RateLimitAlgorithm>())
            {
                data.Add(kind, algorithm);
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(KindsAndAlgorithms))]
    public async Task Four_instances_sharing_a_limit_admit_exactly_its_permits(ServerKind kind, RateLimitAlgorithm algorithm)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 4);
        RateLimiterState[] limiters = instances.All.Select(i => i.Registry.GetOrAddRateLimiter("shared", Options(algorithm))).ToArray();

        // Three times the limit, from every instance at once.
        Task<bool>[] calls = Enumerable.Range(0, Permits * 3)
            .Select(i => limiters[i % limiters.Length].AcquireAsync(CancellationToken.None).AsTask())
            .ToArray();
        bool[] admitted = await Task.WhenAll(calls);

        Assert.All(instances.All, i => Assert.Equal(0, i.Store.FailureCount));
        Assert.Equal(Permits, admitted.Count(a => a));
    }

    [SkippableTheory]
    [MemberData(nameof(KindsAndAlgorithms))]
    public async Task Instances_whose_clocks_are_hours_apart_share_the_limit_exactly_on_the_servers_clock(ServerKind kind, RateLimitAlgorithm algorithm)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 3);
        FakeTimeProvider[] clocks = SkewedClocks(instances);
        RateLimiterState[] limiters = instances.All.Select(i => i.Registry.GetOrAddRateLimiter("skewed", Options(algorithm))).ToArray();

        Task<bool>[] calls = Enumerable.Range(0, Permits * 3)
            .Select(i => limiters[i % limiters.Length].AcquireAsync(CancellationToken.None).AsTask())
            .ToArray();
        bool[] admitted = await Task.WhenAll(calls);
        Assert.Equal(Permits, admitted.Count(a => a));

        // Each instance's clock moving on by two windows gives nothing back: the window runs on the server's clock.
        foreach (FakeTimeProvider clock in clocks)
        {
            clock.Advance(TimeSpan.FromMilliseconds(2.0 * LongWindowMs));
        }

        foreach (RateLimiterState limiter in limiters)
        {
            Assert.False(await limiter.AcquireAsync(CancellationToken.None));
            Assert.Equal(0, limiter.GetLimitInfo().Remaining);
        }

        Assert.All(instances.All, i => Assert.Equal(0, i.Store.FailureCount));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Batched_instances_whose_clocks_are_hours_apart_keep_a_fixed_window_exact(ServerKind kind)
    {
        const int Shared = 40, Batch = 8;
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 3);
        SkewedClocks(instances);
        RateLimitOptions options = Options(RateLimitAlgorithm.FixedWindow, permits: Shared);
        options.DistributedBatch = Batch;
        RateLimiterState[] limiters = instances.All.Select(i => i.Registry.GetOrAddRateLimiter("skewed-batches", options)).ToArray();

        // Each instance in turn, one call at a time, until every one of them is turned away: a batch kept for its
        // window hands out every permit the server counted, and none past it. An instance whose batch ran out while
        // its next one is still on its way from Redis turns a call away without waiting, so the calls stop only once
        // three rounds in a row, each after a pause for batches in flight to land, admitted nothing.
        int admitted = 0;
        int roundsTurnedAway = 0;
        for (int round = 0; round < 4 * Shared && roundsTurnedAway < 3; round++)
        {
            int admittedThisRound = 0;
            foreach (RateLimiterState limiter in limiters)
            {
                admittedThisRound += await limiter.AcquireAsync(CancellationToken.None) ? 1 : 0;
            }

            admitted += admittedThisRound;
            roundsTurnedAway = admittedThisRound == 0 ? roundsTurnedAway + 1 : 0;
            if (admittedThisRound == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }

        Assert.Equal(Shared, admitted);
        Assert.All(instances.All, i => Assert.Equal(0, i.Store.FailureCount));
    }

    [SkippableTheory]
    [MemberData(nameof(KindsAndAlgorithms))]
    public async Task The_limit_info_counts_down_and_a_rejection_carries_it(ServerKind kind, RateLimitAlgorithm algorithm)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        RateLimiterState first = instances[0].GetOrAddRateLimiter("info", Options(algorithm, permits: 3));
        RateLimiterState second = instances[1].GetOrAddRateLimiter("info", Options(algorithm, permits: 3));

        Assert.True(await first.AcquireAsync(CancellationToken.None));
        Assert.Equal(2, first.GetLimitInfo().Remaining);
        Assert.True(await second.AcquireAsync(CancellationToken.None));
        Assert.Equal(1, second.GetLimitInfo().Remaining);
        Assert.True(await first.AcquireAsync(CancellationToken.None));
        Assert.False(await second.AcquireAsync(CancellationToken.None));

        RateLimitInfo info = second.GetLimitInfo();
        Assert.Equal(3, info.Limit);
        Assert.Equal(0, info.Remaining);
        Assert.True(info.RetryAfter > TimeSpan.Zero, $"RetryAfter is {info.RetryAfter}");
        Assert.True(info.ResetAt > DateTimeOffset.UtcNow, $"ResetAt is {info.ResetAt:O}");

        RateLimitRejectedException rejection = second.CreateRejection();
        Assert.NotNull(rejection.Info);
        Assert.Equal(0, rejection.Info.Value.Remaining);
        Assert.Equal(3, rejection.PermitLimit);
        Assert.True(rejection.RetryAfter > TimeSpan.Zero);
        Assert.Equal(1, second.RejectionCount);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Each_key_has_its_own_shared_limit_and_hostile_keys_stay_in_theirs(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        KeyedRateLimiterState<string> first = instances[0].GetOrAddKeyedRateLimiter<string>("per-user", Options(RateLimitAlgorithm.SlidingWindow, permits: 2));
        KeyedRateLimiterState<string> second = instances[1].GetOrAddKeyedRateLimiter<string>("per-user", Options(RateLimitAlgorithm.SlidingWindow, permits: 2));

        // "alice" spends her two permits across both instances.
        Assert.True(await first.GetPartition("alice").AcquireAsync(CancellationToken.None));
        Assert.True(await second.GetPartition("alice").AcquireAsync(CancellationToken.None));
        Assert.False(await first.GetPartition("alice").AcquireAsync(CancellationToken.None));

        // Keys that try to reach another key or close the hash tag have limits of their own.
        foreach (string hostile in new[] { "alice}", "{alice}", "alice|x", "alice:sw", "}:rl:tb:{alice", "ALICE", "" })
        {
            Assert.True(await second.GetPartition(hostile).AcquireAsync(CancellationToken.None), $"key '{hostile}'");
        }

        Assert.Equal(0, first.GetLimitInfo("alice").Remaining);

        // Every key lives under the test's prefix, in a hash tag of its own.
        IServer server = instances.Database.Multiplexer.GetServer(instances.Server.Endpoint);
        string[] keys = server.Keys(pattern: instances.Prefix + ":*").Select(k => (string)k!).ToArray();
        Assert.Equal(8, keys.Length);
        Assert.All(keys, k => Assert.Matches("^" + instances.Prefix + @":rl:sw:\{per-user\|[A-Za-z0-9._~-]+\}$", k));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_queued_call_waits_for_the_shared_window_to_free_a_permit(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        var options = new RateLimitOptions { Permits = 1, WindowMs = 200, Algorithm = RateLimitAlgorithm.SlidingWindow, QueueLimit = 1, Distributed = true };
        RateLimiterState first = instances[0].GetOrAddRateLimiter("queued", options);
        RateLimiterState second = instances[1].GetOrAddRateLimiter("queued", options);

        Assert.True(await first.AcquireAsync(CancellationToken.None));
        Assert.True(await second.AcquireAsync(CancellationToken.None));
        Assert.Equal(0, second.QueuedCount);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_synchronous_acquire_takes_from_the_shared_limit(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        RateLimiterState first = instances[0].GetOrAddRateLimiter("sync", Options(RateLimitAlgorithm.FixedWindow, permits: 1));
        RateLimiterState second = instances[1].GetOrAddRateLimiter("sync", Options(RateLimitAlgorithm.FixedWindow, permits: 1));

        Assert.False(first.TryAcquire());
        Assert.True(first.Acquire(CancellationToken.None));
        Assert.False(second.Acquire(CancellationToken.None));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Two_prefixes_on_one_server_keep_their_limits_apart(ServerKind kind)
    {
        await using Instances one = await Instances.StartAsync(_servers, kind, count: 1);
        await using Instances other = await Instances.StartAsync(_servers, kind, count: 1);
        RateLimiterState a = one[0].GetOrAddRateLimiter("same-name", Options(RateLimitAlgorithm.TokenBucket, permits: 1));
        RateLimiterState b = other[0].GetOrAddRateLimiter("same-name", Options(RateLimitAlgorithm.TokenBucket, permits: 1));

        Assert.True(await a.AcquireAsync(CancellationToken.None));
        Assert.True(await b.AcquireAsync(CancellationToken.None));
        Assert.False(await a.AcquireAsync(CancellationToken.None));
    }

    [SkippableTheory]
    [MemberData(nameof(KindsAndAlgorithms))]
    public async Task One_operation_takes_as_many_permits_of_a_batch_as_are_free(ServerKind kind, RateLimitAlgorithm algorithm)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        RedisResilienceStore store = instances.All[0].Store;
        RateLimitOptions options = Options(algorithm);

        DistributedAcquireResult first = await store.TryAcquireAsync("batches", null, options, permits: 8, CancellationToken.None);
        DistributedAcquireResult second = await store.TryAcquireAsync("batches", null, options, permits: 15, CancellationToken.None);
        DistributedAcquireResult third = await store.TryAcquireAsync("batches", null, options, permits: 1, CancellationToken.None);

        Assert.Equal((8, Permits - 8), (first.Granted, first.Info.Remaining));
        Assert.Equal((Permits - 8, 0), (second.Granted, second.Info.Remaining));
        Assert.False(third.Acquired);
        Assert.True(third.Info.RetryAfter > TimeSpan.Zero, $"RetryAfter is {third.Info.RetryAfter}");
    }

    [SkippableTheory]
    [MemberData(nameof(KindsAndAlgorithms))]
    public async Task Batched_instances_never_admit_more_than_the_shared_permits_and_make_a_round_trip_per_batch(ServerKind kind, RateLimitAlgorithm algorithm)
    {
        const int Shared = 200, Batch = 25, Count = 4;
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: Count);
        RateLimitOptions options = Options(algorithm, permits: Shared);
        options.DistributedBatch = Batch;
        RateLimiterState[] limiters = instances.All.Select(i => i.Registry.GetOrAddRateLimiter("batched", options)).ToArray();
        long[] before = Enumerable.Range(0, Count).Select(instances.OperationsOf).ToArray();

        // Each instance calls in turn, one call at a time, until every one of them is turned away.
        int admitted = 0, calls = 0;
        for (int round = 0; round < 2 * Shared / Count; round++)
        {
            int admittedThisRound = 0;
            for (int i = 0; i < Count; i++)
            {
                calls++;
                admittedThisRound += await limiters[i].AcquireAsync(CancellationToken.None) ? 1 : 0;
            }

            admitted += admittedThisRound;
            if (admittedThisRound == 0)
            {
                break;
            }
        }

        Assert.All(instances.All, i => Assert.Equal(0, i.Store.FailureCount));
        Assert.True(admitted <= Shared, $"{admitted} admitted for {Shared} shared permits");

        // Permits an instance took ahead and had not handed out when the others ran dry stay unused (at most a batch
        // and a quarter each), or came back after its lease (a second).
        Assert.True(admitted >= Shared - (Count * (Batch + (Batch / 4))), $"only {admitted} admitted for {Shared} shared permits");
        long operations = Enumerable.Range(0, Count).Sum(i => instances.OperationsOf(i) - before[i]);
        Assert.True(operations < calls / 3, $"{operations} operations for {calls} calls");
    }

    /// <summary>
    /// Gives the instances' registries clocks hours apart from each other and from the machine's: seven hours ahead, five
    /// behind, and a day and 13 minutes ahead.
    /// </summary>
    private static FakeTimeProvider[] SkewedClocks(Instances instances)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        TimeSpan[] skews = [TimeSpan.FromHours(7), TimeSpan.FromHours(-5), TimeSpan.FromDays(1) + TimeSpan.FromMinutes(13)];
        FakeTimeProvider[] clocks = skews.Take(instances.All.Count).Select(skew => new FakeTimeProvider(now + skew)).ToArray();
        for (int i = 0; i < clocks.Length; i++)
        {
            instances[i].TimeProvider = clocks[i];
        }

        return clocks;
    }

    private static RateLimitOptions Options(RateLimitAlgorithm algorithm, int permits = Permits)
        => new() { Permits = permits, WindowMs = LongWindowMs, Algorithm = algorithm, Distributed = true };
}
