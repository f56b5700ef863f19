using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;

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
        CachedFallbackState<ValueTuple<string>, int> cache = _registry.GetOrAddCachedFallback<ValueTuple<string>, int>(
            "shared", "shared", new CachedFallbackOptions { DurationMs = 2_000 }, static key => CachedFallbackKey.Join(key.Item1));

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
        CachedFallbackState<ValueTuple<string>, int> cache = _registry.GetOrAddCachedFallback<ValueTuple<string>, int>(
            "broken", "broken", new CachedFallbackOptions(), static key => CachedFallbackKey.Join(key.Item1));
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
        CachedFallbackState<ValueTuple<string>, int> cache = _registry.GetOrAddCachedFallback<ValueTuple<string>, int>(
            "hanging", "hanging", new CachedFallbackOptions(), static key => CachedFallbackKey.Join(key.Item1));
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
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    private CachedFallbackState<ValueTuple<string>, string> Create(int durationMs)
        => _registry.GetOrAddCachedFallback<ValueTuple<string>, string>(
            "Shop.Client.Get", "Shop.Client.Get", new CachedFallbackOptions { DurationMs = durationMs }, static key => CachedFallbackKey.Join(key.Item1));

    private sealed class FakeCachedFallbackStore : ICachedFallbackStore
    {
        public ConcurrentDictionary<string, byte[]> Values { get; } = new();

        public ConcurrentQueue<(string Name, string Key, TimeSpan TimeToLive)> Writes { get; } = new();

        public bool Fails { get; set; }

        public bool Hangs { get; set; }

        public string Description => "fake";

        public void Set(string cacheName, string key, byte[] value, TimeSpan timeToLive)
        {
            Writes.Enqueue((cacheName, key, timeToLive));
            Values[key] = value;
        }

        public async ValueTask<byte[]?> GetAsync(string cacheName, string key, CancellationToken cancellationToken)
        {
            if (Hangs)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (Fails)
            {
                throw new InvalidOperationException("The store is broken.");
            }

            return Values.TryGetValue(key, out byte[]? value) ? value : null;
        }
    }
}
