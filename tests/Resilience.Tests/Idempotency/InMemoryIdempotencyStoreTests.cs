using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Idempotency;

public sealed class InMemoryIdempotencyStoreTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task A_saved_result_answers_its_key_until_its_time_to_live_has_passed()
    {
        var store = new InMemoryIdempotencyStore(timeProvider: _clock);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync("p", "k", default)).Status);
        await store.SaveAsync("p", "k", Bytes("1"), TimeSpan.FromMinutes(5), default);

        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        IdempotencyClaim stored = await store.TryClaimAsync("p", "k", default);
        Assert.Equal(IdempotencyClaimStatus.Stored, stored.Status);
        Assert.Equal("1", Encoding.UTF8.GetString(stored.Result!));

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync("p", "k", default)).Status);
    }

    [Fact]
    public async Task A_claimed_key_is_in_progress_for_others_until_it_is_released_or_its_claim_expires()
    {
        var store = new InMemoryIdempotencyStore(timeProvider: _clock);
        await store.TryClaimAsync("p", "k", default);

        Assert.Equal(IdempotencyClaimStatus.InProgress, (await store.TryClaimAsync("p", "k", default)).Status);
        await store.ReleaseAsync("p", "k", default);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync("p", "k", default)).Status);

        _clock.Advance(InMemoryIdempotencyStore.ClaimTimeout);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync("p", "k", default)).Status);
    }

    [Fact]
    public async Task Keys_of_two_policies_never_meet()
    {
        var store = new InMemoryIdempotencyStore(timeProvider: _clock);
        await store.TryClaimAsync("charges", "k", default);
        await store.SaveAsync("charges", "k", Bytes("1"), TimeSpan.FromMinutes(1), default);

        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync("refunds", "k", default)).Status);
        Assert.False(store.TryGet("refunds", "k", out _));
        Assert.True(store.TryGet("charges", "k", out _));
    }

    [Fact]
    public async Task When_full_the_expired_results_go_first_then_the_oldest()
    {
        var store = new InMemoryIdempotencyStore(maxEntries: 3, timeProvider: _clock);
        await store.SaveAsync("p", "short", Bytes("s"), TimeSpan.FromSeconds(1), default);
        await store.SaveAsync("p", "a", Bytes("a"), TimeSpan.FromHours(1), default);
        await store.SaveAsync("p", "b", Bytes("b"), TimeSpan.FromHours(1), default);
        _clock.Advance(TimeSpan.FromSeconds(1));

        await store.SaveAsync("p", "c", Bytes("c"), TimeSpan.FromHours(1), default);
        Assert.Equal(3, store.Count);
        Assert.True(store.TryGet("p", "a", out _));

        await store.SaveAsync("p", "d", Bytes("d"), TimeSpan.FromHours(1), default);
        Assert.Equal(3, store.Count);
        Assert.False(store.TryGet("p", "a", out _));
        Assert.True(store.TryGet("p", "b", out _));
        Assert.True(store.TryGet("p", "d", out _));
    }

    [Fact]
    public async Task A_bound_of_many_keys_holds_however_many_are_saved()
    {
        var store = new InMemoryIdempotencyStore(maxEntries: 100, timeProvider: _clock);
        for (int i = 0; i < 10_000; i++)
        {
            await store.SaveAsync("p", "k" + i, Bytes("x"), TimeSpan.FromHours(1), default);
        }

        Assert.Equal(100, store.Count);
        Assert.True(store.TryGet("p", "k9999", out _));
        Assert.False(store.TryGet("p", "k9899", out _));
    }

    [Fact]
    public void A_bound_below_one_is_refused()
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryIdempotencyStore(maxEntries: 0));
        Assert.Contains("maxEntries is 0; it must be at least 1", error.Message);
    }

    [Fact]
    public async Task TryGet_answers_until_the_time_to_live_has_passed()
    {
        var store = new InMemoryIdempotencyStore(timeProvider: _clock);
        await store.SaveAsync("p", "k", Bytes("1"), TimeSpan.FromMinutes(5), default);

        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.True(store.TryGet("p", "k", out byte[]? kept));
        Assert.Equal("1", Encoding.UTF8.GetString(kept));

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(store.TryGet("p", "k", out _));
    }

    [Fact]
    public async Task A_release_drops_a_claim_never_a_stored_result()
    {
        var store = new InMemoryIdempotencyStore(timeProvider: _clock);
        await store.ReleaseAsync("p", "never-claimed", default);
        await store.TryClaimAsync("p", "k", default);
        await store.SaveAsync("p", "k", Bytes("1"), TimeSpan.FromMinutes(5), default);

        await store.ReleaseAsync("p", "k", default);

        Assert.True(store.TryGet("p", "k", out _));
        Assert.Equal(IdempotencyClaimStatus.Stored, (await store.TryClaimAsync("p", "k", default)).Status);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync("p", "never-claimed", default)).Status);
    }

    [Fact]
    public async Task The_registrys_store_runs_on_the_registrys_clock_and_Reset_empties_it()
    {
        var registry = new ResilienceRegistry { TimeProvider = _clock };
        IIdempotencyStore store = registry.IdempotencyStore;
        await store.SaveAsync("p", "k", Bytes("1"), TimeSpan.FromSeconds(10), default);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.TryClaimAsync("p", "k", default)).Status);

        await store.SaveAsync("p", "k", Bytes("1"), TimeSpan.FromSeconds(10), default);
        registry.Reset();
        Assert.Same(store, registry.IdempotencyStore);
        Assert.Equal(0, ((InMemoryIdempotencyStore)store).Count);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>A store made without a clock reads <see cref="ResilienceRegistry.Default"/>'s, which these tests replace: they run with the other tests that do.</summary>
[Collection(Telemetry.DefaultRegistryCollection.Name)]
public sealed class InMemoryIdempotencyStoreDefaultClockTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();

    public InMemoryIdempotencyStoreDefaultClockTests() => ResilienceRegistry.Default.TimeProvider = _clock;

    public void Dispose() => ResilienceRegistry.Default.TimeProvider = TimeProvider.System;

    [Fact]
    public async Task A_store_made_without_a_clock_expires_results_on_the_default_registrys_clock()
    {
        var store = new InMemoryIdempotencyStore();
        await store.SaveAsync("p", "k", Encoding.UTF8.GetBytes("1"), TimeSpan.FromMinutes(5), default);

        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.True(store.TryGet("p", "k", out _));

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(store.TryGet("p", "k", out _));
    }
}
