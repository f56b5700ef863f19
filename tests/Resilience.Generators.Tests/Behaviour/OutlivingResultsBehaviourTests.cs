namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// A method with every policy whose result outlives a call (the fallback, the cached fallback, the idempotency key,
/// outer to inner) around a retry.
/// An idempotency key's result expires after a second here, while the cached fallback keeps the last good result a minute.
/// </summary>
public partial class OutlivingResultsSubject
{
    private int _runs;
    private int _fallbacks;
    private int _failuresLeft;

    public int Runs => Volatile.Read(ref _runs);

    public int Fallbacks => Volatile.Read(ref _fallbacks);

    /// <summary>The next <paramref name="count"/> runs throw.</summary>
    public void Fail(int count) => Volatile.Write(ref _failuresLeft, count);

    [Fallback(nameof(Declined))]
    [CachedFallback(60_000)]
    [Idempotent(TtlMs = 1_000)]
    [Retry(2, DelayMs = 0)]
    public partial Task<IdempotentReceipt> ChargeAsync([IdempotencyKey] string requestId, decimal amount, CancellationToken ct);

    private Task<IdempotentReceipt> ChargeAsyncCore(string requestId, decimal amount, CancellationToken ct)
    {
        int run = Interlocked.Increment(ref _runs);
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new HttpRequestException("payment provider unavailable");
        }

        return Task.FromResult(new IdempotentReceipt(requestId, amount, run));
    }

    private IdempotentReceipt Declined(string requestId, decimal amount, CancellationToken ct)
    {
        Interlocked.Increment(ref _fallbacks);
        return new IdempotentReceipt("declined", 0, 0);
    }
}

[Collection(RegistryCollection.Name)]
public sealed class OutlivingResultsBehaviourTests : RegistryTest
{
    private readonly OutlivingResultsSubject _subject = new();

    [Fact]
    public async Task A_repeat_is_answered_by_the_key_and_a_failure_after_the_key_expired_by_the_cached_result()
    {
        IdempotentReceipt first = await _subject.ChargeAsync("req-1", 10m, default);
        Assert.Equal(first, await _subject.ChargeAsync("req-1", 10m, default));
        Assert.Equal(1, _subject.Runs);

        // The key's result has expired: the call runs, fails both attempts, and the cached fallback answers it with the
        // last good result for the same arguments, before the fallback method is asked.
        Clock.Advance(TimeSpan.FromSeconds(2));
        _subject.Fail(2);
        Assert.Equal(first, await _subject.ChargeAsync("req-1", 10m, default));
        Assert.Equal(3, _subject.Runs);
        Assert.Equal(0, _subject.Fallbacks);

        // The cached answer was not stored as the key's result: the next call runs again.
        IdempotentReceipt again = await _subject.ChargeAsync("req-1", 10m, default);
        Assert.Equal(new IdempotentReceipt("req-1", 10m, 4), again);
        Assert.Equal(4, _subject.Runs);
    }

    [Fact]
    public async Task A_failure_with_nothing_cached_goes_to_the_fallback_whose_answer_is_not_kept_for_the_key()
    {
        _subject.Fail(2);
        Assert.Equal("declined", (await _subject.ChargeAsync("req-2", 5m, default)).Id);
        Assert.Equal(1, _subject.Fallbacks);

        IdempotentReceipt charged = await _subject.ChargeAsync("req-2", 5m, default);
        Assert.Equal(new IdempotentReceipt("req-2", 5m, 3), charged);
        Assert.Equal(charged, await _subject.ChargeAsync("req-2", 5m, default));
        Assert.Equal(3, _subject.Runs);
        Assert.Equal(1, _subject.Fallbacks);
    }
}
