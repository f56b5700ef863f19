using System.Diagnostics;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>
/// Cached fallbacks on Redis: a result one instance stored answers a failure on another, under the prefix and a hash tag,
/// for the cache's duration; a Redis that is down leaves each instance its own memory and never reaches a caller.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed partial class CachedFallbackStoreTests
{
    private const string CacheName = "Shop.Prices.Get";

    /// <summary>A key prefix of its own for one test, so that tests sharing a server never read each other's keys.</summary>
    private static string NewPrefix() => "cf" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A store's options under <paramref name="prefix"/>, with a timeout generous enough for a loaded machine.</summary>
    private static RedisResilienceOptions Options(string prefix, TimeSpan? retryInterval = null)
    {
        var options = new RedisResilienceOptions { KeyPrefix = prefix, OperationTimeout = TimeSpan.FromSeconds(5) };
        if (retryInterval is { } interval)
        {
            options.RetryInterval = interval;
        }

        return options;
    }
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(5);

    private readonly SharedServers _servers;

    public CachedFallbackStoreTests(SharedServers servers) => _servers = servers;

    public sealed record Price(string Sku, decimal Amount, DateTimeOffset At);

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_result_stored_by_one_instance_answers_a_failure_on_another(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 2);
        CachedFallbackState<ValueTuple<string>, Price>[] caches = instances.All.Select(i => Cache(i.Registry)).ToArray();
        var price = new Price("sku-1", 12.5m, new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.FromHours(1)));

        caches[0].Store(new ValueTuple<string>("sku-1"), price);

        CachedFallbackAnswer<Price> answer = await Eventually(() => caches[1].TryAnswerAsync(new ValueTuple<string>("sku-1"), new IOException("down"), CancellationToken.None));
        Assert.Equal(price, answer.Result);
        Assert.Equal(0, caches[1].Count);
        Assert.False((await caches[1].TryAnswerAsync(new ValueTuple<string>("sku-2"), null, CancellationToken.None)).Found);
        Assert.True(caches[1].TryAnswer(new ValueTuple<string>("sku-1"), null, out Price synchronous));
        Assert.Equal(price, synchronous);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task The_value_is_JSON_under_the_prefix_in_a_hash_tag_and_expires_with_the_duration(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        CachedFallbackState<ValueTuple<string>, Price> cache = Cache(instances[0]);
        var price = new Price("sku/1 with {braces}", 3m, DateTimeOffset.UnixEpoch);

        cache.Store(new ValueTuple<string>(price.Sku), price);

        string key = new RedisKeys(instances.Prefix).CachedFallback(CacheName, CachedFallbackKey.Join(price.Sku));
        Assert.StartsWith(instances.Prefix + ":cf:{" + CacheName + "|~", key);
        RedisValue stored = await Eventually(async () => await instances.Database.StringGetAsync(key) is { IsNull: false } value ? value : (RedisValue?)null);
        Assert.Equal(price, System.Text.Json.JsonSerializer.Deserialize<Price>((byte[])stored!));
        TimeSpan? ttl = await instances.Database.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, Duration - TimeSpan.FromMinutes(1), Duration);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Generated_code_on_one_instance_answers_from_a_result_another_instance_stored(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        string prefix = NewPrefix();
        using ConnectionMultiplexer first = server.Connect();
        using ConnectionMultiplexer second = server.Connect();
        var options = Options(prefix);
        var api = new PriceApi();

        using (ResilienceScope one = ResilienceScope.Begin())
        {
            one.Registry.UseCachedFallbackStore(new RedisCachedFallbackStore(first, options));
            Assert.Equal(41m, await api.GetPriceAsync("sku-1", CancellationToken.None));
        }

        api.Fail = true;
        using ResilienceScope other = ResilienceScope.Begin();
        other.Registry.UseCachedFallbackStore(new RedisCachedFallbackStore(second, options));

        decimal answered = await Eventually(async () =>
        {
            try
            {
                return await api.GetPriceAsync("sku-1", CancellationToken.None);
            }
            catch (IOException)
            {
                return (decimal?)null;
            }
        });
        Assert.Equal(41m, answered);
        CachedFallbackState cache = Assert.Single(other.Registry.CachedFallbacks);
        Assert.Equal(0, cache.Count);
        Assert.True(cache.Hits >= 1);
        await Assert.ThrowsAsync<IOException>(() => api.GetPriceAsync("sku-2", CancellationToken.None));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_server_that_is_down_leaves_each_instance_its_own_memory_and_throws_nothing(ServerKind kind)
    {
        await using TestServer server = await TestServer.StartAsync(kind);
        await using Instances instances = await Instances.StartAsync(
            server, count: 1, new RedisResilienceOptions { OperationTimeout = TimeSpan.FromMilliseconds(200), RetryInterval = TimeSpan.FromMilliseconds(200) });
        CachedFallbackState<ValueTuple<string>, Price> cache = Cache(instances[0]);
        var price = new Price("sku-1", 1m, DateTimeOffset.UnixEpoch);

        await server.StopAsync();

        var clock = Stopwatch.StartNew();
        cache.Store(new ValueTuple<string>("sku-1"), price);
        CachedFallbackAnswer<Price> answer = await cache.TryAnswerAsync(new ValueTuple<string>("sku-1"), new IOException("down"), CancellationToken.None);
        Assert.True(cache.TryAnswer(new ValueTuple<string>("sku-1"), null, out Price synchronous));
        bool missing = (await cache.TryAnswerAsync(new ValueTuple<string>("sku-2"), null, CancellationToken.None)).Found;
        clock.Stop();

        Assert.Equal(price, answer.Result);
        Assert.Equal(price, synchronous);
        Assert.False(missing);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The calls took {clock.Elapsed.TotalMilliseconds:0} ms while Redis was down.");
        Assert.Equal(1, cache.Count);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_result_type_that_cannot_be_serialized_stays_in_memory_and_is_reported(ServerKind kind)
    {
        await using Instances instances = await Instances.StartAsync(_servers, kind, count: 1);
        CachedFallbackState<ValueTuple<string>, Unserializable> cache = instances[0].GetOrAddCachedFallback<ValueTuple<string>, Unserializable>(
            CacheName, CacheName, new CachedFallbackOptions { DurationMs = (int)Duration.TotalMilliseconds }, static key => CachedFallbackKey.Join(key.Item1));
        var result = new Unserializable(typeof(string));

        cache.Store(new ValueTuple<string>("a"), result);

        Assert.NotNull(cache.SharedStoreProblem);
        Assert.Contains(nameof(Unserializable), cache.SharedStoreProblem!.Message);
        Assert.True(cache.TryAnswer(new ValueTuple<string>("a"), null, out Unserializable kept));
        Assert.Same(result, kept);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_read_that_fails_stops_asking_Redis_for_the_retry_interval(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        string prefix = NewPrefix();
        using ConnectionMultiplexer connection = server.Connect();
        var store = new RedisCachedFallbackStore(connection, Options(prefix, retryInterval: TimeSpan.FromHours(1)));
        var keys = new RedisKeys(prefix);
        await connection.GetDatabase().HashSetAsync(keys.CachedFallback(CacheName, "sku-1"), "field", "not a cached result");
        await connection.GetDatabase().StringSetAsync(keys.CachedFallback(CacheName, "sku-2"), "kept");

        Assert.Null(await store.GetAsync(CacheName, "sku-1", CancellationToken.None));
        Assert.False(store.IsAvailable);
        Assert.Equal(1, store.FailureCount);
        Assert.Null(await store.GetAsync(CacheName, "sku-2", CancellationToken.None));
        Assert.Equal(1, store.FailureCount);
    }

    [Fact]
    public async Task A_store_whose_connection_is_down_is_unavailable_and_answers_nothing_at_once()
    {
        int port = TestServer.FreeLoopbackPort();
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=200");
        var store = new RedisCachedFallbackStore(connection);

        Assert.False(store.IsAvailable);
        Assert.Null(await store.GetAsync(CacheName, "sku-1", CancellationToken.None));
        Assert.Equal(0, store.FailureCount);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_result_stored_with_a_zero_time_to_live_replaces_the_one_before(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        string prefix = NewPrefix();
        using ConnectionMultiplexer connection = server.Connect();
        var store = new RedisCachedFallbackStore(connection, Options(prefix));

        store.Set(CacheName, "sku-1", "\"old\""u8.ToArray(), TimeSpan.FromHours(1));
        store.Set(CacheName, "sku-1", "\"new\""u8.ToArray(), TimeSpan.Zero);

        // Read on the connection the writes were sent on, so after them: the new result for a millisecond, then nothing.
        RedisValue stored = await connection.GetDatabase().StringGetAsync(new RedisKeys(prefix).CachedFallback(CacheName, "sku-1"));
        Assert.True(stored.IsNull || stored == "\"new\"", $"Redis holds {stored}.");
        Assert.Equal(0, store.FailureCount);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_read_made_from_a_blocked_thread_completes(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        string prefix = NewPrefix();
        using ConnectionMultiplexer connection = server.Connect();
        var store = new RedisCachedFallbackStore(connection, Options(prefix));
        await connection.GetDatabase().StringSetAsync(new RedisKeys(prefix).CachedFallback(CacheName, "sku-1"), "41");
        var ui = new BlockedSynchronizationContext();

        byte[]? read = await ui.Start(() => store.GetAsync(CacheName, "sku-1", CancellationToken.None).AsTask()).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("41"u8.ToArray(), read);
    }

    public sealed record Unserializable(Type Type);

    private static CachedFallbackState<ValueTuple<string>, Price> Cache(ResilienceRegistry registry)
        => registry.GetOrAddCachedFallback<ValueTuple<string>, Price>(
            CacheName, CacheName, new CachedFallbackOptions { DurationMs = (int)Duration.TotalMilliseconds }, static key => CachedFallbackKey.Join(key.Item1));

    /// <summary>Asks until the answer is found (a fire-and-forget write may land a moment after the call that sent it).</summary>
    private static async Task<CachedFallbackAnswer<T>> Eventually<T>(Func<ValueTask<CachedFallbackAnswer<T>>> ask)
    {
        CachedFallbackAnswer<T> answer = await Eventually(async () => await ask() is { Found: true } found ? found : (CachedFallbackAnswer<T>?)null);
        return answer;
    }

    private static async Task<T> Eventually<T>(Func<Task<T?>> ask)
        where T : struct
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await ask() is { } value)
            {
                return value;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "Timed out waiting for the shared store.");
            await Task.Delay(20);
        }
    }

    public sealed partial class PriceApi
    {
        public bool Fail { get; set; }

        [CachedFallback(300_000)]
        public partial Task<decimal> GetPriceAsync(string sku, CancellationToken cancellationToken);

        private Task<decimal> GetPriceAsyncCore(string sku, CancellationToken cancellationToken)
            => Fail ? Task.FromException<decimal>(new IOException("prices are down")) : Task.FromResult(41m);
    }
}
