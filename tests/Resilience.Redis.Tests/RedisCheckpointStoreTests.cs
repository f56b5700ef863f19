using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>
/// The Redis checkpoint store on both servers: the rules of the in-memory store (newest first, 10 kept, the interval,
/// expiry, deletion, bad input), the layout and time-to-live of its keys, exact sequences when stores on separate
/// connections race, and what a caller sees while Redis is down.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RedisCheckpointStoreTests : IAsyncDisposable
{
    private const string Job = "transcription-42";

    private readonly SharedServers _servers;
    private readonly List<ConnectionMultiplexer> _connections = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];

    public RedisCheckpointStoreTests(SharedServers servers) => _servers = servers;

    public async ValueTask DisposeAsync()
    {
        foreach (ConnectionMultiplexer connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_checkpoint_saved_by_one_instance_is_read_by_another_newest_first(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore saving = Store(server, o => o.MinSaveInterval = TimeSpan.Zero);
        RedisCheckpointStore reading = Store(server);

        for (int i = 1; i <= 3; i++)
        {
            Checkpoint<Transcript>? saved = await saving.SaveAsync(Job, i < 3 ? "transcribe" : "summarize", i / 4.0, new Transcript(i, Enumerable.Range(1, i).Select(n => "line " + n).ToList()));
            Assert.Equal(i, saved!.Sequence);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Checkpoint<Transcript>? latest = await reading.GetLatestAsync<Transcript>(Job);
        Assert.NotNull(latest);
        Assert.Equal((Job, "summarize", 0.75, 3L), (latest.JobId, latest.Stage, latest.Progress, latest.Sequence));
        Assert.Equal(["line 1", "line 2", "line 3"], latest.Data.Lines);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 9, 0, 2, TimeSpan.Zero), latest.SavedAt);

        IReadOnlyList<Checkpoint<Transcript>> list = await reading.ListAsync<Transcript>(Job);
        Assert.Equal([3L, 2L, 1L], list.Select(c => c.Sequence));
        Assert.Equal([3, 2, 1], list.Select(c => c.Data.ChunksDone));
        Assert.Null(await reading.GetLatestAsync<Transcript>("never-saved"));
        Assert.Empty(await reading.ListAsync<Transcript>("never-saved"));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task The_keys_share_the_jobs_hash_tag_and_live_twenty_four_hours(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore store = Store(server);
        await store.SaveAsync(Job, "transcribe", 0.5, 1);

        IDatabase database = Database(server);
        string list = $"{_prefix}:ckpt:{{{Job}}}:list", meta = $"{_prefix}:ckpt:{{{Job}}}:meta";
        Assert.Equal(1, await database.SortedSetLengthAsync(list));
        Assert.Equal(1, (long)await database.HashGetAsync(meta, "seq"));
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds(), (long)await database.HashGetAsync(meta, "at"));
        foreach (string key in new[] { list, meta })
        {
            long pttl = (long)await database.ExecuteAsync("PTTL", key);
            Assert.InRange(pttl, (long)TimeSpan.FromHours(24).TotalMilliseconds - 60_000, (long)TimeSpan.FromHours(24).TotalMilliseconds);
        }

        string member = (string)(await database.SortedSetRangeByRankAsync(list, 0, 0))[0]!;
        Assert.StartsWith("1:{\"stage\":\"transcribe\",\"progress\":0.5,\"savedAt\":\"2026-11-29T09:00:00+00:00\",\"data\":1}", member);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_job_id_that_could_break_the_key_is_hashed(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore store = Store(server);
        const string OddJob = "user}:{42 job";

        await store.SaveAsync(OddJob, "transcribe", 0.5, 7);

        Assert.Equal(7, (await store.GetLatestAsync<int>(OddJob))!.Data);
        Assert.True(await Database(server).KeyExistsAsync($"{_prefix}:ckpt:{{{RedisKeys.Part(OddJob)}}}:list"));
        Assert.StartsWith("~", RedisKeys.Part(OddJob));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task The_eleventh_save_drops_the_oldest_checkpoint(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore store = Store(server, o => o.MinSaveInterval = TimeSpan.Zero);

        for (int i = 1; i <= 11; i++)
        {
            await store.SaveAsync(Job, "transcribe", i / 11.0, i);
        }

        IReadOnlyList<Checkpoint<int>> list = await store.ListAsync<int>(Job);
        Assert.Equal(Enumerable.Range(2, 10).Reverse().Select(i => (long)i), list.Select(c => c.Sequence));
        Assert.Equal(10, await Database(server).SortedSetLengthAsync($"{_prefix}:ckpt:{{{Job}}}:list"));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task A_save_within_thirty_seconds_of_the_last_is_skipped_unless_forced_whichever_instance_saves(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore first = Store(server), second = Store(server);
        Assert.NotNull(await first.SaveAsync(Job, "transcribe", 0.1, 1));

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(await second.SaveAsync(Job, "transcribe", 0.2, 2));
        Assert.Equal(1, (await second.GetLatestAsync<int>(Job))!.Data);
        Assert.Equal(2, (await second.SaveAsync(Job, "transcribe", 0.2, 2, force: true))!.Sequence);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(3, (await first.SaveAsync(Job, "transcribe", 0.3, 3))!.Sequence);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Checkpoints_expire_with_their_keys_time_to_live(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore store = Store(server, o => o.TimeToLive = TimeSpan.FromMilliseconds(300));
        await store.SaveAsync(Job, "transcribe", 0.5, 1);
        Assert.NotNull(await store.GetLatestAsync<int>(Job));

        // Redis' own clock expires the keys: waited for, not faked.
        var waited = Stopwatch.StartNew();
        while (await store.GetLatestAsync<int>(Job) is not null)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "The checkpoint did not expire.");
            await Task.Delay(50);
        }

        Assert.Empty(await store.ListAsync<int>(Job));
        Assert.False(await Database(server).KeyExistsAsync($"{_prefix}:ckpt:{{{Job}}}:meta"));
        Assert.Equal(1, (await store.SaveAsync(Job, "transcribe", 0.5, 1))!.Sequence);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Delete_forgets_the_jobs_checkpoints_and_its_sequence(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore store = Store(server, o => o.MinSaveInterval = TimeSpan.Zero);
        await store.SaveAsync(Job, "transcribe", 0.1, 1);
        await store.SaveAsync(Job, "transcribe", 0.2, 2);
        await store.SaveAsync("other-job", "transcribe", 0.2, 2);

        Assert.True(await store.DeleteAsync(Job));
        Assert.False(await store.DeleteAsync(Job));

        Assert.Null(await store.GetLatestAsync<int>(Job));
        Assert.NotNull(await store.GetLatestAsync<int>("other-job"));
        Assert.Equal(1, (await store.SaveAsync(Job, "transcribe", 0.1, 1))!.Sequence);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Data_goes_through_a_source_generated_context(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore store = Store(server, o => o.JsonSerializerOptions = new JsonSerializerOptions { TypeInfoResolver = RedisCheckpointTestContext.Default });

        await store.SaveAsync(Job, "transcribe", 0.5, new Transcript(1, ["hello"]));

        Assert.Equal(["hello"], (await store.GetLatestAsync<Transcript>(Job))!.Data.Lines);
        await Assert.ThrowsAsync<ResultSerializationException>(() => store.SaveAsync(Job, "transcribe", 0.6, new Unlisted(5), force: true));
        Assert.Single(await store.ListAsync<Transcript>(Job));
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Bad_input_is_refused_and_nothing_is_stored(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore store = Store(server);

        await Assert.ThrowsAsync<ArgumentNullException>(() => store.SaveAsync(null!, "transcribe", 0.5, 1));
        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync("", "transcribe", 0.5, 1));
        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(Job, " ", 0.5, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SaveAsync(Job, "transcribe", 1.5, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SaveAsync(Job, "transcribe", double.NaN, 1));
        ResultSerializationException refused = await Assert.ThrowsAsync<ResultSerializationException>(() => store.SaveAsync(Job, "transcribe", 0.5, new WithDelegate(() => 1)));
        Assert.Contains("checkpoints of job \"transcription-42\"", refused.Message);

        IServer admin = _connections[0].GetServers()[0];
        Assert.Empty(admin.Keys(pattern: _prefix + ":*").ToList());
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Parallel_saves_from_four_instances_get_every_sequence_number_once(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore[] stores = Enumerable.Range(0, 4).Select(_ => Store(server, o => o.MaxKeptPerJob = 1_000)).ToArray();
        const int SavesEach = 50;

        Checkpoint<int>?[][] saved = await Task.WhenAll(stores.Select((store, s) => Task.Run(async () =>
            await Task.WhenAll(Enumerable.Range(0, SavesEach).Select(i => store.SaveAsync(Job, "transcribe", 0.5, (s * SavesEach) + i, force: true))))));

        long[] sequences = saved.SelectMany(s => s).Select(c => c!.Sequence).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, stores.Length * SavesEach).Select(i => (long)i), sequences);
        Assert.Equal(stores.Length * SavesEach, (await stores[0].ListAsync<int>(Job)).Count);

        // Unforced, within the interval: exactly one of sixteen racing saves is kept.
        Checkpoint<int>?[] racing = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => stores[i % stores.Length].SaveAsync("racing-job", "transcribe", 0.5, i)));
        Assert.Single(racing, c => c is not null);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task While_Redis_is_down_every_operation_says_so_within_the_timeout_and_nothing_is_lost_silently(ServerKind kind)
    {
        await using TestServer server = await TestServer.StartAsync(kind);
        var operationTimeout = TimeSpan.FromMilliseconds(200);
        RedisCheckpointStore store = Store(server, o => o.MinSaveInterval = TimeSpan.Zero, operationTimeout);
        Assert.Equal(1, (await store.SaveAsync(Job, "transcribe", 0.1, 1))!.Sequence);

        await server.StopAsync();
        var clock = Stopwatch.StartNew();
        CheckpointStoreUnavailableException save = await Assert.ThrowsAsync<CheckpointStoreUnavailableException>(() => store.SaveAsync(Job, "transcribe", 0.2, 2));
        Assert.Contains("The checkpoint of job 'transcription-42' at stage 'transcribe' was not saved: Redis", save.Message);
        Assert.Contains("Catch CheckpointStoreUnavailableException around SaveAsync", save.Message);
        Assert.Contains("could not be read", (await Assert.ThrowsAsync<CheckpointStoreUnavailableException>(() => store.GetLatestAsync<int>(Job))).Message);
        await Assert.ThrowsAsync<CheckpointStoreUnavailableException>(() => store.ListAsync<int>(Job));
        Assert.Contains("were not deleted", (await Assert.ThrowsAsync<CheckpointStoreUnavailableException>(() => store.DeleteAsync(Job))).Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The four calls took {clock.Elapsed}.");

        // Back: saves work again (a server without persistence starts empty).
        await server.StartAsync();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Assert.NotNull(await store.SaveAsync(Job, "transcribe", 0.3, 3));
                break;
            }
            catch (CheckpointStoreUnavailableException) when (waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(3, (await store.GetLatestAsync<int>(Job))!.Data);
    }

    [Fact]
    public async Task A_save_while_not_connected_says_what_was_lost_and_what_to_do()
    {
        int port = TestServer.FreeLoopbackPort();
        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=200");
        _connections.Add(connection);
        var store = new RedisCheckpointStore(connection, new CheckpointOptions { TimeProvider = _clock }, new RedisResilienceOptions { KeyPrefix = _prefix });

        CheckpointStoreUnavailableException error = await Assert.ThrowsAsync<CheckpointStoreUnavailableException>(() => store.SaveAsync(Job, "transcribe", 0.5, 1));

        Assert.Equal(
            $"The checkpoint of job '{Job}' at stage 'transcribe' was not saved: Redis 127.0.0.1:{port}, prefix '{_prefix}' is not connected. " +
            "The job's latest saved checkpoint is unchanged and is the one it would resume from. Catch CheckpointStoreUnavailableException " +
            "around SaveAsync to go on without this checkpoint, or save again once Redis answers.",
            error.Message);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task Every_operation_made_from_a_blocked_thread_completes(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore store = Store(server);
        var ui = new BlockedSynchronizationContext();
        TimeSpan patience = TimeSpan.FromSeconds(10);

        Checkpoint<int>? saved = await ui.Start(() => store.SaveAsync(Job, "transcribe", 0.5, 7)).WaitAsync(patience);
        Checkpoint<int>? latest = await ui.Start(() => store.GetLatestAsync<int>(Job)).WaitAsync(patience);
        IReadOnlyList<Checkpoint<int>> all = await ui.Start(() => store.ListAsync<int>(Job)).WaitAsync(patience);
        bool deleted = await ui.Start(() => store.DeleteAsync(Job)).WaitAsync(patience);

        Assert.Equal(1, saved!.Sequence);
        Assert.Equal(7, latest!.Data);
        Assert.Equal(7, Assert.Single(all).Data);
        Assert.True(deleted);
    }

    [SkippableTheory]
    [MemberData(nameof(SharedServers.Kinds), MemberType = typeof(SharedServers))]
    public async Task An_error_Redis_answers_is_reported_as_the_store_being_unavailable(ServerKind kind)
    {
        TestServer server = await _servers.GetAsync(kind);
        RedisCheckpointStore store = Store(server);
        await Database(server).StringSetAsync($"{_prefix}:ckpt:{{{Job}}}:list", "not a sorted set");

        CheckpointStoreUnavailableException error = await Assert.ThrowsAsync<CheckpointStoreUnavailableException>(() => store.GetLatestAsync<int>(Job));

        Assert.StartsWith($"The checkpoints of job '{Job}' could not be read: Redis {server.Endpoint}, prefix '{_prefix}' failed (WRONGTYPE", error.Message);
        Assert.IsAssignableFrom<RedisException>(error.InnerException);
    }

    [SkippableFact]
    public async Task A_read_Redis_does_not_answer_in_time_is_reported_with_the_timeout()
    {
        await using TestServer server = await TestServer.StartAsync(ServerKind.Redis);
        RedisCheckpointStore store = Store(server, operationTimeout: TimeSpan.FromMilliseconds(100));
        Assert.Null(await store.GetLatestAsync<int>(Job));
        ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(server.Endpoint + ",allowAdmin=true");
        _connections.Add(admin);
        // Every client's next command waits (the server is stopped at the end of the test, ending the pause with it).
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "60000", "ALL");

        CheckpointStoreUnavailableException error = await Assert.ThrowsAsync<CheckpointStoreUnavailableException>(() => store.GetLatestAsync<int>(Job));

        Assert.Equal(
            $"The checkpoints of job '{Job}' could not be read: Redis {server.Endpoint}, prefix '{_prefix}' did not answer within 100 ms " +
            "(RedisResilienceOptions.OperationTimeout). They are kept there until they expire; read them again once Redis answers.",
            error.Message);
        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [Theory]
    [InlineData("x:{\"stage\":\"s\",\"progress\":0.5,\"savedAt\":\"2026-11-29T09:00:00+00:00\",\"data\":1}")]
    [InlineData("99999999999999999999:{\"stage\":\"s\",\"progress\":0.5,\"savedAt\":\"2026-11-29T09:00:00+00:00\",\"data\":1}")]
    [InlineData("1:not json")]
    [InlineData("1:{\"progress\":0.5,\"savedAt\":\"2026-11-29T09:00:00+00:00\",\"data\":1}")]
    [InlineData("1:{\"stage\":\"s\",\"progress\":0.5,\"savedAt\":\"yesterday\",\"data\":1}")]
    public async Task A_checkpoint_written_by_something_else_is_refused_with_what_to_do(string member)
    {
        TestServer server = await _servers.GetAsync(ServerKind.Garnet);
        RedisCheckpointStore store = Store(server);
        await Database(server).SortedSetAddAsync($"{_prefix}:ckpt:{{{Job}}}:list", member, 1);

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetLatestAsync<int>(Job));

        Assert.Equal(
            $"A stored checkpoint of job '{Job}' is not in the form this store writes (written by something else under the same key prefix?). " +
            "Delete the job's checkpoints with DeleteAsync, or give this application a KeyPrefix of its own.",
            error.Message);
    }

    [SkippableFact]
    public async Task AddResilienceRedisCheckpoints_registers_the_store_on_the_connection_and_prefix_given()
    {
        TestServer server = await _servers.GetAsync(ServerKind.Garnet);
        ConnectionMultiplexer connection = server.Connect();
        _connections.Add(connection);
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<IConnectionMultiplexer>(connection)
            .AddResilienceRedisCheckpoints(sp => sp.GetRequiredService<IConnectionMultiplexer>(), o => o.MaxKeptPerJob = 3, r => r.KeyPrefix = _prefix)
            .BuildServiceProvider();

        RedisCheckpointStore store = Assert.IsType<RedisCheckpointStore>(services.GetRequiredService<ICheckpointStore>());
        await store.SaveAsync(Job, "transcribe", 0.5, 1);

        Assert.Equal(3, store.Options.MaxKeptPerJob);
        Assert.Contains($"prefix '{_prefix}'", store.Description);
        Assert.True(await connection.GetDatabase().KeyExistsAsync($"{_prefix}:ckpt:{{{Job}}}:list"));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddResilienceRedisCheckpoints(_ => connection, configureRedis: r => r.KeyPrefix = "a{b}"));
    }

    private RedisCheckpointStore Store(TestServer server, Action<CheckpointOptions>? configure = null, TimeSpan? operationTimeout = null)
    {
        ConnectionMultiplexer connection = server.Connect();
        _connections.Add(connection);
        var options = new CheckpointOptions { TimeProvider = _clock };
        configure?.Invoke(options);
        return new RedisCheckpointStore(connection, options, new RedisResilienceOptions { KeyPrefix = _prefix, OperationTimeout = operationTimeout ?? TimeSpan.FromSeconds(5) });
    }

    private IDatabase Database(TestServer server)
    {
        if (_connections.Count == 0)
        {
            _connections.Add(server.Connect());
        }

        return _connections[0].GetDatabase();
    }

    public sealed record Transcript(int ChunksDone, List<string> Lines);

    public sealed record Unlisted(int Value);

    public sealed class WithDelegate(Func<int> value)
    {
        public Func<int> Value { get; } = value;
    }
}

[JsonSerializable(typeof(RedisCheckpointStoreTests.Transcript))]
internal sealed partial class RedisCheckpointTestContext : JsonSerializerContext;
