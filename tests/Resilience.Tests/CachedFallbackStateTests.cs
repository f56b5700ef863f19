using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Tasks.Sources;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using static Resilience.Tests.Telemetry.TelemetryTesting;

namespace Resilience.Tests;

public sealed class CachedFallbackStateTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public CachedFallbackStateTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void A_stored_result_answers_until_the_duration_has_passed()
    {
        CachedFallbackState<ValueTuple<string>, string> cache = Create(durationMs: 1_000);
        cache.Store(new("a"), "A");

        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(cache.TryAnswer(new("a"), null, out string? answer));
        Assert.Equal("A", answer);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(cache.TryAnswer(new("a"), null, out _));
        Assert.Equal(1, cache.Hits);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void A_newer_result_replaces_the_older_one_and_starts_its_own_duration()
    {
        CachedFallbackState<ValueTuple<string>, string> cache = Create(durationMs: 1_000);
        cache.Store(new("a"), "old");
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        cache.Store(new("a"), "new");
        _clock.Advance(TimeSpan.FromMilliseconds(600));

        Assert.True(cache.TryAnswer(new("a"), null, out string? answer));
        Assert.Equal("new", answer);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Null_arguments_and_null_results_are_kept_like_any_other()
    {
        CachedFallbackState<ValueTuple<string?>, string?> cache = _registry.GetOrAddCachedFallback<ValueTuple<string?>, string?>(
            "m", "m", new CachedFallbackOptions(), static key => CachedFallbackKey.Join(key.Item1));
        cache.Store(new(null), null);
        cache.Store(new(string.Empty), "empty");

        Assert.True(cache.TryAnswer(new(null), null, out string? forNull));
        Assert.Null(forNull);
        Assert.True(cache.TryAnswer(new(string.Empty), null, out string? forEmpty));
        Assert.Equal("empty", forEmpty);
    }

    [Fact]
    public void The_bound_holds_under_concurrent_stores_and_the_newest_results_stay()
    {
        CachedFallbackState<ValueTuple<int>, int> cache = _registry.GetOrAddCachedFallback<ValueTuple<int>, int>(
            "bounded", "bounded", new CachedFallbackOptions { MaxEntries = 100 }, static key => CachedFallbackKey.Join(CachedFallbackKey.Part(key.Item1)));
        Parallel.For(0, 8, worker =>
        {
            for (int i = 0; i < 5_000; i++)
            {
                int id = (worker * 5_000) + i;
                cache.Store(new(id), id);
                Assert.True(cache.Count <= 100, $"{cache.Count} entries kept, more than 100.");
            }
        });

        Assert.InRange(cache.Count, 1, 100);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        cache.Store(new(-1), -1);
        Assert.True(cache.TryAnswer(new(-1), null, out int newest));
        Assert.Equal(-1, newest);
    }

    [Fact]
    public void A_full_table_drops_the_expired_results_before_the_live_ones()
    {
        CachedFallbackState<ValueTuple<int>, int> cache = _registry.GetOrAddCachedFallback<ValueTuple<int>, int>(
            "expiring", "expiring", new CachedFallbackOptions { MaxEntries = 3, DurationMs = 1_000 }, static key => CachedFallbackKey.Join(CachedFallbackKey.Part(key.Item1)));
        cache.Store(new(1), 1);
        cache.Store(new(2), 2);
        _clock.Advance(TimeSpan.FromMilliseconds(1_500));
        cache.Store(new(3), 3);

        cache.Store(new(4), 4);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryAnswer(new(3), null, out _));
        Assert.True(cache.TryAnswer(new(4), null, out _));
    }

    [Fact]
    public void A_result_answers_up_to_the_last_tick_of_its_duration()
    {
        CachedFallbackState<ValueTuple<string>, string> cache = Create(durationMs: 1_000);
        cache.Store(new("a"), "A");

        _clock.Advance(TimeSpan.FromMilliseconds(1_000) - TimeSpan.FromTicks(1));
        Assert.True(cache.TryAnswer(new("a"), null, out string? answer));
        Assert.Equal("A", answer);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(cache.TryAnswer(new("a"), null, out _));
    }

    [Fact]
    public void A_full_table_drops_its_oldest_tenth_to_make_room()
    {
        CachedFallbackState<ValueTuple<int>, int> cache = CreateBounded(maxEntries: 20, durationMs: 60_000);
        for (int id = 0; id < 20; id++)
        {
            cache.Store(new(id), id);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        cache.Store(new(20), 20);

        Assert.Equal(19, cache.Count);
        Assert.False(cache.TryAnswer(new(0), null, out _));
        Assert.False(cache.TryAnswer(new(1), null, out _));
        for (int id = 2; id <= 20; id++)
        {
            Assert.True(cache.TryAnswer(new(id), null, out int answer), $"The result for {id} was dropped.");
            Assert.Equal(id, answer);
        }
    }

    [Fact]
    public void A_full_table_of_fewer_than_ten_results_drops_its_oldest_one_to_make_room()
    {
        CachedFallbackState<ValueTuple<int>, int> cache = CreateBounded(maxEntries: 3, durationMs: 60_000);
        for (int id = 1; id <= 3; id++)
        {
            cache.Store(new(id), id);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        cache.Store(new(4), 4);

        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryAnswer(new(1), null, out _));
        Assert.True(cache.TryAnswer(new(2), null, out _));
        Assert.True(cache.TryAnswer(new(3), null, out _));
        Assert.True(cache.TryAnswer(new(4), null, out _));
    }

    [Fact]
    public void When_dropping_the_expired_results_makes_room_no_live_result_is_dropped()
    {
        CachedFallbackState<ValueTuple<int>, int> cache = CreateBounded(maxEntries: 10, durationMs: 1_000);
        for (int id = 0; id < 5; id++)
        {
            cache.Store(new(id), id);
        }

        _clock.Advance(TimeSpan.FromMilliseconds(1_000));
        for (int id = 5; id < 10; id++)
        {
            cache.Store(new(id), id);
        }

        cache.Store(new(10), 10);

        Assert.Equal(6, cache.Count);
        for (int id = 5; id <= 10; id++)
        {
            Assert.True(cache.TryAnswer(new(id), null, out _), $"The live result for {id} was dropped.");
        }
    }

    [Fact]
    public void Making_room_keeps_a_result_in_the_last_tick_of_its_duration()
    {
        CachedFallbackState<ValueTuple<int>, int> cache = CreateBounded(maxEntries: 2, durationMs: 1_000);
        cache.Store(new(1), 1);
        _clock.Advance(TimeSpan.FromTicks(1));
        cache.Store(new(2), 2);

        // 1 is a whole duration old (expired); 2 is one tick younger: still alive.
        _clock.Advance(TimeSpan.FromMilliseconds(1_000) - TimeSpan.FromTicks(1));
        cache.Store(new(3), 3);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryAnswer(new(2), null, out int kept));
        Assert.Equal(2, kept);
        Assert.True(cache.TryAnswer(new(3), null, out _));
        Assert.False(cache.TryAnswer(new(1), null, out _));
    }

    [Fact]
    public void Settings_given_under_the_policy_name_replace_the_attributes_for_a_cache_before_and_after_it_exists()
    {
        CachedFallbackState<ValueTuple<string>, string> existing = Create(durationMs: 1_000);
        _registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["Shop.Client.Get"] = new PolicySettings { DurationMs = 5_000 },
            ["Shop.Client.List"] = new PolicySettings { MaxEntries = 7 },
        });
        CachedFallbackState<ValueTuple<string>, string> created = _registry.GetOrAddCachedFallback<ValueTuple<string>, string>(
            "Shop.Client.List", "Shop.Client.List", new CachedFallbackOptions { DurationMs = 1_000, MaxEntries = 100 }, static key => CachedFallbackKey.Join(key.Item1));

        Assert.Equal(5_000, existing.Options.DurationMs);
        Assert.Equal(7, created.Options.MaxEntries);
        Assert.Equal(1_000, created.Options.DurationMs);
        existing.Store(new("a"), "A");
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.True(existing.TryAnswer(new("a"), null, out string? answer));
        Assert.Equal("A", answer);
    }

    [Fact]
    public void Hits_and_misses_are_counted_on_the_meter_with_the_policy_and_method()
    {
        using MetricCollector<long> hits = Collect<long>("resilience.cached_fallback.hits");
        using MetricCollector<long> misses = Collect<long>("resilience.cached_fallback.misses");
        string policy = UniqueName("cached");
        CachedFallbackState<ValueTuple<string>, string> cache = _registry.GetOrAddCachedFallback<ValueTuple<string>, string>(
            "Shop.Client.Price", policy, new CachedFallbackOptions(), static key => CachedFallbackKey.Join(key.Item1));
        cache.Store(new("a"), "A");

        Assert.True(cache.TryAnswer(new("a"), null, out _));
        Assert.True(cache.TryAnswerAsync(new("a"), null, CancellationToken.None).ResultNow().Found);
        Assert.False(cache.TryAnswer(new("b"), null, out _));

        IReadOnlyList<CollectedMeasurement<long>> counted = hits.For(policy);
        Assert.Equal(2, counted.Sum(m => m.Value));
        Assert.All(counted, m => Assert.Equal("Shop.Client.Price", m.Tag(ResilienceMetrics.MethodTag)));
        CollectedMeasurement<long> missed = Assert.Single(misses.For(policy));
        Assert.Equal(1, missed.Value);
        Assert.Equal("Shop.Client.Price", missed.Tag(ResilienceMetrics.MethodTag));
    }

    [Fact]
    public void A_result_the_shared_store_refuses_is_kept_in_memory_and_counted_as_a_distributed_fallback()
    {
        using MetricCollector<long> fallbacks = Collect<long>("resilience.distributed.fallbacks");
        var store = new FakeCachedFallbackStore { SetFails = true };
        _registry.UseCachedFallbackStore(store);
        string policy = UniqueName("cached-refused");
        CachedFallbackState<ValueTuple<string>, int> cache = CachedByName("Shop.Client.Stock", policy);

        cache.Store(new("a"), 1);

        CollectedMeasurement<long> counted = Assert.Single(fallbacks.For(policy));
        Assert.Equal(1, counted.Value);
        Assert.Equal("cached_fallback", counted.Tag(ResilienceMetrics.KindTag));
        Assert.True(cache.TryAnswer(new("a"), null, out int answer));
        Assert.Equal(1, answer);
    }

    [Fact]
    public async Task Listeners_are_told_of_each_answer_with_the_failure_and_where_the_result_came_from()
    {
        var listener = new CachedFallbackListener();
        using IDisposable registration = _registry.AddListener(listener);
        var store = new FakeCachedFallbackStore();
        _registry.UseCachedFallbackStore(store);
        CachedFallbackState<ValueTuple<string>, int> cache = CachedByName("Shop.Client.Stock", "stock");
        cache.Store(new("a"), 1);
        var failure = new TimeoutException("The dependency timed out.");

        Assert.True(cache.TryAnswer(new("a"), failure, out _));                                       // from the store
        Assert.True((await cache.TryAnswerAsync(new("a"), null, CancellationToken.None).Guarded()).Found); // from the store
        store.Values.Clear();
        Assert.True(cache.TryAnswer(new("a"), failure, out _));                                       // from memory
        Assert.True((await cache.TryAnswerAsync(new("a"), null, CancellationToken.None).Guarded()).Found); // from memory
        Assert.False(cache.TryAnswer(new("b"), failure, out _));                                      // a miss: not told

        Assert.Equal(new[] { true, true, false, false }, listener.Events.Select(e => e.FromSharedStore));
        Assert.Equal(new Exception?[] { failure, null, failure, null }, listener.Events.Select(e => e.Exception));
        Assert.All(listener.Events, e => Assert.Equal(("stock", "Shop.Client.Stock"), (e.PolicyName, e.MethodName)));
    }

    [Fact]
    public async Task An_asynchronous_answer_from_the_shared_store_is_the_stores_result_and_a_miss_finds_nothing()
    {
        var store = new FakeCachedFallbackStore();
        _registry.UseCachedFallbackStore(store);
        CachedFallbackState<ValueTuple<string>, int> cache = CachedByName("shared-async");
        cache.Store(new("a"), 1);
        store.Values["1:a"] = Encoding.UTF8.GetBytes("7");

        CachedFallbackAnswer<int> found = await cache.TryAnswerAsync(new("a"), null, CancellationToken.None).Guarded();
        CachedFallbackAnswer<int> missing = await cache.TryAnswerAsync(new("b"), null, CancellationToken.None).Guarded();

        Assert.True(found.Found);
        Assert.Equal(7, found.Result);
        Assert.False(missing.Found);
        Assert.Equal(0, missing.Result);
    }

    [Fact]
    public async Task A_shared_store_that_throws_at_once_even_a_cancellation_of_its_own_leaves_the_answer_to_memory()
    {
        var store = new FakeCachedFallbackStore();
        _registry.UseCachedFallbackStore(store);
        CachedFallbackState<ValueTuple<string>, int> cache = CachedByName("throwing");
        cache.Store(new("a"), 1);

        store.ThrowsAtOnce = new InvalidOperationException("The store is broken.");
        Assert.True(cache.TryAnswer(new("a"), null, out int afterFailure));
        CachedFallbackAnswer<int> asynchronous = await cache.TryAnswerAsync(new("a"), null, CancellationToken.None).Guarded();
        store.ThrowsAtOnce = new OperationCanceledException("The store's own operation timed out.");
        Assert.True(cache.TryAnswer(new("a"), null, out int afterCancellation));

        Assert.Equal(1, afterFailure);
        Assert.Equal((true, 1), (asynchronous.Found, asynchronous.Result));
        Assert.Equal(1, afterCancellation);
    }

    [Fact]
    public void A_synchronous_answer_waits_for_a_shared_store_that_answers_later()
    {
        var store = new FakeCachedFallbackStore { AnswersWhenAwaited = true };
        _registry.UseCachedFallbackStore(store);
        CachedFallbackState<ValueTuple<string>, int> cache = CachedByName("slow");
        cache.Store(new("a"), 1);
        store.Values["1:a"] = Encoding.UTF8.GetBytes("7");

        Assert.True(cache.TryAnswer(new("a"), null, out int answer));

        Assert.Equal(7, answer);
    }

    [Fact]
    public async Task An_asynchronous_answer_does_not_need_the_callers_synchronization_context()
    {
        var store = new FakeCachedFallbackStore();
        _registry.UseCachedFallbackStore(store);
        CachedFallbackState<ValueTuple<string>, int> cache = CachedByName("context");
        cache.Store(new("a"), 1);
        store.Values["1:a"] = Encoding.UTF8.GetBytes("7");
        var later = new TaskCompletionSource<bool>();
        store.Gate = later.Task;

        // The caller's context runs nothing posted to it, as a UI thread blocked on the answer would not.
        var ui = new BlockedSynchronizationContext();
        ValueTask<CachedFallbackAnswer<int>> pending = ui.Start(() => cache.TryAnswerAsync(new("a"), null, CancellationToken.None));

        later.SetResult(true);
        CachedFallbackAnswer<int> answer = await pending.Guarded();

        Assert.Equal(7, answer.Result);
    }

    [Fact]
    public void Storing_from_many_threads_keeps_the_count_equal_to_the_results_that_answer()
    {
        // Half the keys fit, the other half make room: the count is raced for both while it grows and after evictions.
        CachedFallbackState<ValueTuple<int>, int> cache = CreateBounded(maxEntries: 20_000, durationMs: 60_000);

        TestSupport.RunOnThreads(8, worker =>
        {
            for (int i = 0; i < 5_000; i++)
            {
                int id = (worker * 5_000) + i;
                cache.Store(new(id), id);
            }
        });

        int answering = Enumerable.Range(0, 40_000).Count(id => cache.TryAnswer(new(id), null, out _));
        Assert.Equal(cache.Count, answering);
        Assert.InRange(answering, 1, 20_000);
    }

    [Fact]
    public void Clear_forgets_every_result()
    {
        CachedFallbackState<ValueTuple<string>, string> cache = Create(durationMs: 1_000);
        cache.Store(new("a"), "A");

        cache.Clear();

        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryAnswer(new("a"), null, out _));
    }

    [Theory]
    [InlineData(0, 1, "CachedFallbackOptions.DurationMs is 0; it must be at least 1")]
    [InlineData(1_000, 0, "CachedFallbackOptions.MaxEntries is 0; it must be at least 1")]
    public void Options_out_of_range_are_refused_with_the_setting_named(int durationMs, int maxEntries, string message)
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => _registry.GetOrAddCachedFallback<ValueTuple<int>, int>(
            "bad", "bad", new CachedFallbackOptions { DurationMs = durationMs, MaxEntries = maxEntries }, static _ => string.Empty));

        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void A_shared_store_is_written_with_the_duration_and_read_before_memory()
    {
        var store = new FakeCachedFallbackStore();
        _registry.UseCachedFallbackStore(store);
        CachedFallbackState<ValueTuple<string>, int> cache = CachedByName("shared", durationMs: 2_000);

        cache.Store(new("a"), 1);
        (string name, string key, TimeSpan ttl) = Assert.Single(store.Writes);
        Assert.Equal(("shared", "1:a", TimeSpan.FromSeconds(2)), (name, key, ttl));
        store.Values["1:a"] = Encoding.UTF8.GetBytes("7");

        Assert.True(cache.TryAnswer(new("a"), null, out int answer));
        Assert.Equal(7, answer);
    }

    [Fact]
    public async Task A_shared_store_that_throws_or_holds_an_unreadable_value_leaves_the_answer_to_memory()
    {
        var store = new FakeCachedFallbackStore();
        _registry.UseCachedFallbackStore(store);
        CachedFallbackState<ValueTuple<string>, int> cache = CachedByName("broken");
        cache.Store(new("a"), 1);

        store.Values["1:a"] = Encoding.UTF8.GetBytes("{ not json");
        Assert.True(cache.TryAnswer(new("a"), null, out int unreadable));
        store.Fails = true;
        CachedFallbackAnswer<int> failing = await cache.TryAnswerAsync(new("a"), null, CancellationToken.None);

        Assert.Equal(1, unreadable);
        Assert.Equal(1, failing.Result);
    }

    [Fact]
    public async Task The_callers_cancellation_during_a_shared_read_is_not_answered()
    {
        var store = new FakeCachedFallbackStore { Hangs = true };
        _registry.UseCachedFallbackStore(store);
        CachedFallbackState<ValueTuple<string>, int> cache = CachedByName("hanging");
        cache.Store(new("a"), 1);
        using var caller = new CancellationTokenSource();

        ValueTask<CachedFallbackAnswer<int>> pending = cache.TryAnswerAsync(new("a"), null, caller.Token);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(TestSupport.HangGuard));
    }

    [Fact]
    public void Key_texts_cannot_collide_across_argument_boundaries_or_between_null_and_text()
    {
        Assert.NotEqual(CachedFallbackKey.Join("a|b", "c"), CachedFallbackKey.Join("a", "b|c"));
        Assert.NotEqual(CachedFallbackKey.Join("1:a"), CachedFallbackKey.Join("1", "a"));
        Assert.NotEqual(CachedFallbackKey.Join((string?)null), CachedFallbackKey.Join("~"));
        Assert.NotEqual(CachedFallbackKey.Join((string?)null), CachedFallbackKey.Join(string.Empty));
        Assert.Equal("1:a~0:", CachedFallbackKey.Join("a", null, string.Empty));
    }

    [Fact]
    public void Key_parts_are_invariant_and_round_trip()
    {
        CultureInfo culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            Assert.Equal("1.5", CachedFallbackKey.Part(1.5));
            Assert.Equal("0.1", CachedFallbackKey.Part(0.1m));
            Assert.Equal("2026-11-29T12:00:00.0000000Z", CachedFallbackKey.Part(new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc)));
            Assert.NotEqual(CachedFallbackKey.Part(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)), CachedFallbackKey.Part(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local)));
            Assert.Equal("2026-11-29T12:00:00.0000000+01:00", CachedFallbackKey.Part(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.FromHours(1))));
            Assert.Equal("1.02:03:04", CachedFallbackKey.Part(new TimeSpan(1, 2, 3, 4)));
            Assert.Equal("2", CachedFallbackKey.Enum(DayOfWeek.Tuesday));
            Assert.Equal("true", CachedFallbackKey.Part(true));
            Assert.Equal("false", CachedFallbackKey.Part(false));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>A cached fallback of <paramref name="method"/>, keyed by one string, under <paramref name="policy"/> (the method's name when not given).</summary>
    private CachedFallbackState<ValueTuple<string>, int> CachedByName(string method, string? policy = null, int? durationMs = null)
        => _registry.GetOrAddCachedFallback<ValueTuple<string>, int>(
            method,
            policy ?? method,
            durationMs is { } duration ? new CachedFallbackOptions { DurationMs = duration } : new CachedFallbackOptions(),
            static key => CachedFallbackKey.Join(key.Item1));

    private CachedFallbackState<ValueTuple<int>, int> CreateBounded(int maxEntries, int durationMs)
        => _registry.GetOrAddCachedFallback<ValueTuple<int>, int>(
            "bounded", "bounded", new CachedFallbackOptions { MaxEntries = maxEntries, DurationMs = durationMs }, static key => CachedFallbackKey.Join(CachedFallbackKey.Part(key.Item1)));

    private CachedFallbackState<ValueTuple<string>, string> Create(int durationMs)
        => _registry.GetOrAddCachedFallback<ValueTuple<string>, string>(
            "Shop.Client.Get", "Shop.Client.Get", new CachedFallbackOptions { DurationMs = durationMs }, static key => CachedFallbackKey.Join(key.Item1));

    private sealed class FakeCachedFallbackStore : ICachedFallbackStore
    {
        public ConcurrentDictionary<string, byte[]> Values { get; } = new();

        public ConcurrentQueue<(string Name, string Key, TimeSpan TimeToLive)> Writes { get; } = new();

        public bool Fails { get; set; }

        public bool Hangs { get; set; }

        /// <summary>Thrown by <see cref="GetAsync"/> itself, before it hands back a task.</summary>
        public Exception? ThrowsAtOnce { get; set; }

        /// <summary>While set, <see cref="GetAsync"/> answers once it completes.</summary>
        public Task? Gate { get; set; }

        /// <summary>When set, <see cref="GetAsync"/> answers only once someone waits for it, from another thread.</summary>
        public bool AnswersWhenAwaited { get; set; }

        /// <summary>When set, <see cref="Set"/> throws (which a store must not do).</summary>
        public bool SetFails { get; set; }

        public string Description => "fake";

        public void Set(string cacheName, string key, byte[] value, TimeSpan timeToLive)
        {
            if (SetFails)
            {
                throw new InvalidOperationException("The store is full.");
            }

            Writes.Enqueue((cacheName, key, timeToLive));
            Values[key] = value;
        }

        public ValueTask<byte[]?> GetAsync(string cacheName, string key, CancellationToken cancellationToken)
        {
            if (ThrowsAtOnce is { } failure)
            {
                throw failure;
            }

            if (AnswersWhenAwaited)
            {
                return new ValueTask<byte[]?>(new AnswerWhenAwaited(Values.TryGetValue(key, out byte[]? found) ? found : null), 0);
            }

            return GetLaterAsync(key, cancellationToken);
        }

        private async ValueTask<byte[]?> GetLaterAsync(string key, CancellationToken cancellationToken)
        {
            if (Hangs)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (Gate is { } gate)
            {
                await gate.ConfigureAwait(false);
            }

            if (Fails)
            {
                throw new InvalidOperationException("The store is broken.");
            }

            return Values.TryGetValue(key, out byte[]? value) ? value : null;
        }
    }

    /// <summary>An answer that is pending until a continuation is registered, and then given on the thread pool.</summary>
    private sealed class AnswerWhenAwaited : IValueTaskSource<byte[]?>
    {
        private readonly byte[]? _value;
        private volatile bool _completed;

        public AnswerWhenAwaited(byte[]? value) => _value = value;

        public ValueTaskSourceStatus GetStatus(short token) => _completed ? ValueTaskSourceStatus.Succeeded : ValueTaskSourceStatus.Pending;

        public byte[]? GetResult(short token)
            => _completed ? _value : throw new InvalidOperationException("The answer was read before it was given.");

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => ThreadPool.QueueUserWorkItem(_ =>
            {
                _completed = true;
                continuation(state);
            });
    }

    private sealed class CachedFallbackListener : ResilienceListener
    {
        private readonly ConcurrentQueue<CachedFallbackEventArgs> _events = new();

        public IReadOnlyList<CachedFallbackEventArgs> Events => _events.ToArray();

        public override void OnCachedFallback(CachedFallbackEventArgs e) => _events.Enqueue(e);
    }
}
