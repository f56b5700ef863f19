using System.Text;

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

    private static RedisIdempotencyStore Store(Instances instances, int index) => (RedisIdempotencyStore)instances[index].IdempotencyStore;

    private static string ClaimKey(Instances instances, string key) => new RedisKeys(instances.Prefix).IdempotencyClaim(RedisKeys.Identity(Policy, key));
}
