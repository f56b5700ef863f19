using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>
/// The Redis idempotency store called as the generated code calls it: claims and their owners, where a result is kept,
/// the local store it falls back on, and calls made from a thread that is blocked waiting for them.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RedisIdempotencyStoreTests
{
    private const string Policy = "Shop.Payments.ChargeAsync";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly SharedServers _servers;

    public RedisIdempotencyStoreTests(SharedServers servers) => _servers = servers;

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_claim_taken_over_after_it_expired_is_not_released_by_the_instance_that_lost_it(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 3);
        RedisIdempotencyStore first = Store(instances, 0), second = Store(instances, 1), third = Store(instances, 2);
        string claimKey = ClaimKey(instances, "order-1");

        Assert.Equal(IdempotencyClaimStatus.Claimed, (await first.TryClaimAsync(Policy, "order-1", default)).Status);
        // The first instance's claim runs out while it still runs the call; the second claims the key.
        Assert.True(await instances.Database.KeyDeleteAsync(claimKey));
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await second.TryClaimAsync(Policy, "order-1", default)).Status);

        await first.ReleaseAsync(Policy, "order-1", default);

        Assert.True(await instances.Database.KeyExistsAsync(claimKey));
        Assert.Equal(IdempotencyClaimStatus.InProgress, (await third.TryClaimAsync(Policy, "order-1", default)).Status);
        await second.ReleaseAsync(Policy, "order-1", default);
        Assert.False(await instances.Database.KeyExistsAsync(claimKey));
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await third.TryClaimAsync(Policy, "order-1", default)).Status);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Saving_and_releasing_through_Redis_keep_the_store_available(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(
            _servers, kind, count: 1, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromSeconds(5), RetryInterval = Hour });
        RedisIdempotencyStore store = Store(instances, 0);

        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync(Policy, "order-1", default)).Status);
        await store.SaveAsync(Policy, "order-1", Encoding.UTF8.GetBytes("\"receipt-1\""), Hour, default);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync(Policy, "order-2", default)).Status);
        await store.ReleaseAsync(Policy, "order-2", default);

        Assert.True(store.IsAvailable);
        Assert.Equal(0, instances.All[0].Store.FailureCount);
        Assert.Equal("\"receipt-1\"", (string?)await instances.Database.StringGetAsync(new RedisKeys(instances.Prefix).IdempotencyResult(RedisKeys.Identity(Policy, "order-1"))));
        Assert.False(await instances.Database.KeyExistsAsync(ClaimKey(instances, "order-1")));
        Assert.False(await instances.Database.KeyExistsAsync(ClaimKey(instances, "order-2")));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_result_of_a_key_not_claimed_in_Redis_is_kept_on_this_instance_only(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        RedisIdempotencyStore here = Store(instances, 0), elsewhere = Store(instances, 1);

        // Claimed while Redis was away (so in the local store), saved once it is back.
        await here.SaveAsync(Policy, "order-1", Encoding.UTF8.GetBytes("\"receipt-1\""), Hour, default);

        IdempotencyClaim repeatHere = await here.TryClaimAsync(Policy, "order-1", default);
        Assert.Equal(IdempotencyClaimStatus.Stored, repeatHere.Status);
        Assert.Equal("\"receipt-1\"", Encoding.UTF8.GetString(repeatHere.Result!));
        Assert.False(await instances.Database.KeyExistsAsync(new RedisKeys(instances.Prefix).IdempotencyResult(RedisKeys.Identity(Policy, "order-1"))));
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await elsewhere.TryClaimAsync(Policy, "order-1", default)).Status);
        Assert.True(here.IsAvailable);
        Assert.Equal(0, instances.All[0].Store.FailureCount);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_result_kept_in_the_local_store_given_answers_without_asking_Redis(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        var local = new InMemoryIdempotencyStore();
        await local.SaveAsync(Policy, "order-1", Encoding.UTF8.GetBytes("\"kept\""), Hour, default);
        var store = new RedisIdempotencyStore(instances.All[0].Store, local);

        IdempotencyClaim claim = await store.TryClaimAsync(Policy, "order-1", default);

        Assert.Equal(IdempotencyClaimStatus.Stored, claim.Status);
        Assert.Equal("\"kept\"", Encoding.UTF8.GetString(claim.Result!));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Claims_saves_and_releases_made_from_a_blocked_thread_complete(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        RedisIdempotencyStore store = Store(instances, 0);
        var ui = new BlockedSynchronizationContext();

        IdempotencyClaim claimed = await ui.Start(() => store.TryClaimAsync(Policy, "order-1", default).AsTask()).WaitAsync(Patience);
        await ui.Start(() => store.SaveAsync(Policy, "order-1", Encoding.UTF8.GetBytes("\"receipt-1\""), Hour, default).AsTask()).WaitAsync(Patience);
        IdempotencyClaim other = await ui.Start(() => store.TryClaimAsync(Policy, "order-2", default).AsTask()).WaitAsync(Patience);
        await ui.Start(() => store.ReleaseAsync(Policy, "order-2", default).AsTask()).WaitAsync(Patience);

        Assert.Equal(IdempotencyClaimStatus.Claimed, claimed.Status);
        Assert.Equal(IdempotencyClaimStatus.Claimed, other.Status);
        Assert.Equal(IdempotencyClaimStatus.Stored, (await Store(instances, 1).TryClaimAsync(Policy, "order-1", default)).Status);
        Assert.False(await instances.Database.KeyExistsAsync(ClaimKey(instances, "order-2")));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_claim_is_renewed_while_its_call_runs_so_a_call_longer_than_the_claim_timeout_runs_once(ServerKind kind)
    {
        // Renewed every 667 ms: a busy machine may delay a round by most of that without the claim expiring.
        var claimTimeout = TimeSpan.FromSeconds(2);
        await using Instances instances = await Instances.StartAsync(
            _servers, kind, count: 2, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromSeconds(5), IdempotencyClaimTimeout = claimTimeout });
        RedisIdempotencyStore running = Store(instances, 0), other = Store(instances, 1);
        string claimKey = ClaimKey(instances, "order-1");

        Assert.Equal(IdempotencyClaimStatus.Claimed, (await running.TryClaimAsync(Policy, "order-1", default)).Status);
        string? token = await instances.Database.StringGetAsync(claimKey);

        // One and a half claim timeouts: without renewal the claim would have expired a second ago.
        var deadline = DateTime.UtcNow + 1.5 * claimTimeout;
        while (DateTime.UtcNow < deadline)
        {
            Assert.Equal(IdempotencyClaimStatus.InProgress, (await other.TryClaimAsync(Policy, "order-1", default)).Status);
            await Task.Delay(50);
        }

        Assert.InRange(running.RenewalCount, 2, 100);
        Assert.Equal(token, (string?)await instances.Database.StringGetAsync(claimKey));
        TimeSpan? left = await instances.Database.KeyTimeToLiveAsync(claimKey);
        Assert.NotNull(left);
        Assert.InRange(left!.Value, TimeSpan.Zero, claimTimeout);

        await running.SaveAsync(Policy, "order-1", Encoding.UTF8.GetBytes("\"receipt-1\""), Hour, default);
        Assert.False(await instances.Database.KeyExistsAsync(claimKey));
        Assert.Equal(IdempotencyClaimStatus.Stored, (await other.TryClaimAsync(Policy, "order-1", default)).Status);

        // Once a round that was under way when the result was saved has ended, no other round renews anything.
        await Task.Delay(claimTimeout / 2);
        long renewed = running.RenewalCount;
        await Task.Delay(claimTimeout);
        Assert.Equal(renewed, running.RenewalCount);
        Assert.Equal(0, running.LostClaimCount);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_claim_that_expired_unclaimed_is_taken_again_and_one_another_instance_holds_is_counted_lost_and_left_alone(ServerKind kind)
    {
        var claimTimeout = TimeSpan.FromSeconds(1);
        await using Instances instances = await Instances.StartAsync(
            _servers, kind, count: 3, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromSeconds(5), IdempotencyClaimTimeout = claimTimeout });
        RedisIdempotencyStore first = Store(instances, 0), second = Store(instances, 1), third = Store(instances, 2);
        string claimKey = ClaimKey(instances, "order-1");

        Assert.Equal(IdempotencyClaimStatus.Claimed, (await first.TryClaimAsync(Policy, "order-1", default)).Status);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await second.TryClaimAsync(Policy, "order-2", default)).Status);
        string? firstToken = await instances.Database.StringGetAsync(claimKey);

        // Gone (as if the first instance had been paused past the timeout), nobody claimed it since: taken again.
        Assert.True(await instances.Database.KeyDeleteAsync(claimKey));
        await Eventually(async () => (string?)await instances.Database.StringGetAsync(claimKey) == firstToken);
        Assert.Equal(IdempotencyClaimStatus.InProgress, (await third.TryClaimAsync(Policy, "order-1", default)).Status);

        // Taken by another instance meanwhile (as if the first had been paused past the timeout): the first leaves it alone.
        await instances.Database.StringSetAsync(claimKey, "another-instance", Hour);
        await Eventually(() => Task.FromResult(first.LostClaimCount == 1));
        await Task.Delay(2 * claimTimeout);
        Assert.Equal(1, first.LostClaimCount);
        Assert.Equal("another-instance", (string?)await instances.Database.StringGetAsync(claimKey));
        Assert.InRange((await instances.Database.KeyTimeToLiveAsync(claimKey))!.Value, Hour - Patience, Hour);

        // The first instance's result is stored, and its save does not end the other's claim.
        await first.SaveAsync(Policy, "order-1", Encoding.UTF8.GetBytes("\"receipt-1\""), Hour, default);
        Assert.Equal("another-instance", (string?)await instances.Database.StringGetAsync(claimKey));
        IdempotencyClaim repeat = await third.TryClaimAsync(Policy, "order-1", default);
        Assert.Equal("\"receipt-1\"", Encoding.UTF8.GetString(repeat.Result!));
        Assert.Equal(0, second.LostClaimCount);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_claim_whose_key_another_instance_ran_meanwhile_is_counted_lost_and_not_taken_again(ServerKind kind)
    {
        using var lostClaims = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.idempotency.lost_claims");
        var claimTimeout = TimeSpan.FromMilliseconds(300);
        await using Instances instances = await Instances.StartAsync(
            _servers, kind, count: 2, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromSeconds(5), IdempotencyClaimTimeout = claimTimeout });
        RedisIdempotencyStore paused = Store(instances, 0), other = Store(instances, 1);
        var keys = new RedisKeys(instances.Prefix);
        string claimKey = ClaimKey(instances, "order-1");
        string resultKey = keys.IdempotencyResult(RedisKeys.Identity(Policy, "order-1"));

        Assert.Equal(IdempotencyClaimStatus.Claimed, (await paused.TryClaimAsync(Policy, "order-1", default)).Status);
        // As while this instance was paused past the timeout: the claim expired, another instance ran the key and saved
        // (its result first, then its claim gone, as the save script leaves them; a renewal between the two renews).
        await instances.Database.StringSetAsync(resultKey, "\"receipt-other\"", Hour);
        await instances.Database.KeyDeleteAsync(claimKey);

        await Eventually(() => Task.FromResult(paused.LostClaimCount == 1));
        await Task.Delay(2 * claimTimeout);

        Assert.Equal(1, paused.LostClaimCount);
        Assert.False(await instances.Database.KeyExistsAsync(claimKey));
        CollectedMeasurement<long> lost = Assert.Single(lostClaims.GetMeasurementSnapshot(), m => Equals(m.Tags["resilience.policy"], Policy));
        Assert.Equal(1, lost.Value);
        Assert.Equal("\"receipt-other\"", Encoding.UTF8.GetString((await other.TryClaimAsync(Policy, "order-1", default)).Result!));
    }

    // On a real Redis only: Garnet's GET answers a key of another type without the WRONGTYPE error this test needs.
    [SkippableFact]
    public async Task A_renewal_that_Redis_refuses_marks_the_store_unavailable_and_the_claim_is_neither_renewed_nor_lost()
    {
        await using Instances instances = await Instances.StartAsync(
            _servers, ServerKind.Redis, count: 1, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromSeconds(5), RetryInterval = Hour, IdempotencyClaimTimeout = TimeSpan.FromMilliseconds(300) });
        RedisIdempotencyStore store = Store(instances, 0);
        string claimKey = ClaimKey(instances, "order-1");

        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync(Policy, "order-1", default)).Status);
        // A key of another type where the claim was: the renewal script's GET fails (WRONGTYPE).
        await instances.Database.KeyDeleteAsync(claimKey);
        await instances.Database.HashSetAsync(claimKey, "not", "a claim");

        await Eventually(() => Task.FromResult(instances.All[0].Store.FailureCount >= 1));
        Assert.False(store.IsAvailable);
        Assert.Equal(0, store.RenewalCount);
        Assert.Equal(0, store.LostClaimCount);
    }

    [Fact]
    public async Task Keys_decided_on_the_local_store_while_Redis_is_unreachable_are_counted_as_distributed_fallbacks()
    {
        using var fallbacks = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.distributed.fallbacks");
        int port = TestServer.FreeLoopbackPort();
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=200");
        var registry = new ResilienceRegistry();
        using RedisResilienceStore redis = registry.UseRedis(connection, new RedisResilienceOptions { KeyPrefix = "unreachable" });
        var store = (RedisIdempotencyStore)registry.IdempotencyStore;
        const string policy = "Shop.Payments.RefundAsync";

        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync(policy, "refund-1", default)).Status);
        await store.SaveAsync(policy, "refund-1", Encoding.UTF8.GetBytes("1"), Hour, default);

        CollectedMeasurement<long> local = Assert.Single(fallbacks.GetMeasurementSnapshot(), m => Equals(m.Tags["resilience.policy"], policy));
        Assert.Equal("idempotency", local.Tags["resilience.policy.kind"]);
        Assert.Equal(IdempotencyClaimStatus.Stored, (await store.TryClaimAsync(policy, "refund-1", default)).Status);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_store_with_no_claim_left_is_not_kept_alive_by_its_renewals(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(
            _servers, kind, count: 1, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromSeconds(5), IdempotencyClaimTimeout = TimeSpan.FromMilliseconds(90) });

        WeakReference store = await ClaimRenewAndReleaseAsync(instances.All[0].Store);
        DateTime deadline = DateTime.UtcNow + Patience;
        while (store.IsAlive && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(50);
        }

        Assert.False(store.IsAlive, "a store whose claims all ended is still referenced: its renewal timer was left running");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> ClaimRenewAndReleaseAsync(RedisResilienceStore redis)
    {
        var store = new RedisIdempotencyStore(redis);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync(Policy, "order-1", default)).Status);
        await Eventually(() => Task.FromResult(store.RenewalCount >= 1));
        await store.ReleaseAsync(Policy, "order-1", default);
        // The round after the release finds nothing to renew and stops.
        await Task.Delay(200);
        return new WeakReference(store);
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within " + Patience);
            await Task.Delay(20);
        }
    }

    private static RedisIdempotencyStore Store(Instances instances, int index) => (RedisIdempotencyStore)instances[index].IdempotencyStore;

    private static string ClaimKey(Instances instances, string key) => new RedisKeys(instances.Prefix).IdempotencyClaim(RedisKeys.Identity(Policy, key));
}
