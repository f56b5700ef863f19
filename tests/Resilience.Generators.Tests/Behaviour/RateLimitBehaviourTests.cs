namespace Resilience.Generators.Tests.Behaviour;

public partial class RateLimitSubject
{
    public CoreScript Script { get; } = new();

    public List<string?> Users { get; } = new();

    [RateLimit(2, 1_000)]
    public partial Task<int> TokenBucketAsync();

    private Task<int> TokenBucketAsyncCore() => Script.RunAsync();

    [RateLimit(2, 1_000, Algorithm = RateLimitAlgorithm.FixedWindow)]
    public partial Task<int> FixedWindowAsync();

    private Task<int> FixedWindowAsyncCore() => Script.RunAsync();

    [RateLimit(2, 1_000, Algorithm = RateLimitAlgorithm.SlidingWindow)]
    public partial Task<int> SlidingWindowAsync();

    private Task<int> SlidingWindowAsyncCore() => Script.RunAsync();

    [RateLimit(2, 1_000)]
    public partial int TokenBucketSync();

    private int TokenBucketSyncCore() => Script.Run();

    [RateLimit(1, 1_000, QueueLimit = 1)]
    public partial Task<int> QueuedAsync();

    private Task<int> QueuedAsyncCore() => Script.RunAsync();

    [RateLimit(1, 1_000, QueueLimit = 1)]
    public partial int QueuedSync();

    private int QueuedSyncCore() => Script.Run();

    [RateLimit(1, 60_000)]
    public partial Task<int> PerUserAsync([RateLimitKey] string? user);

    private Task<int> PerUserAsyncCore(string? user)
    {
        lock (Users)
        {
            Users.Add(user);
        }

        return Script.RunAsync();
    }

    [RateLimit(1, 60_000)]
    [CircuitBreaker(1, BreakDurationMs = 60_000)]
    public partial Task<int> WithBreakerAsync();

    private Task<int> WithBreakerAsyncCore() => Script.RunAsync();
}

[Collection(RegistryCollection.Name)]
public sealed class RateLimitBehaviourTests : RegistryTest
{
    private readonly RateLimitSubject _subject = new();

    [Fact]
    public async Task Allows_Permits_calls_then_rejects_with_RetryAfter()
    {
        Assert.Equal(1, await _subject.TokenBucketAsync().WaitAsync(HangGuard));
        Assert.Equal(2, await _subject.TokenBucketAsync().WaitAsync(HangGuard));

        RateLimitRejectedException rejection = await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.TokenBucketAsync().WaitAsync(HangGuard));

        Assert.Equal(2, _subject.Script.Calls);
        Assert.Equal(typeof(RateLimitSubject).FullName + "." + nameof(RateLimitSubject.TokenBucketAsync), rejection.PolicyName);
        // The bucket refills continuously: one permit every 1000 / 2 ms.
        Assert.Equal(Ms(500), rejection.RetryAfter);
    }

    [Fact]
    public async Task A_token_bucket_gives_a_permit_back_after_WindowMs_divided_by_Permits()
    {
        await _subject.TokenBucketAsync().WaitAsync(HangGuard);
        await _subject.TokenBucketAsync().WaitAsync(HangGuard);

        Clock.Advance(Ms(499));
        RateLimitRejectedException rejection = await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.TokenBucketAsync().WaitAsync(HangGuard));
        Assert.Equal(Ms(1), rejection.RetryAfter);

        Clock.Advance(Ms(1));
        Assert.Equal(3, await _subject.TokenBucketAsync().WaitAsync(HangGuard));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.TokenBucketAsync().WaitAsync(HangGuard));
        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public void A_synchronous_method_is_rate_limited_too()
    {
        _subject.TokenBucketSync();
        _subject.TokenBucketSync();

        RateLimitRejectedException rejection = Assert.Throws<RateLimitRejectedException>(() => _subject.TokenBucketSync());

        Assert.Equal(Ms(500), rejection.RetryAfter);
        Assert.Equal(2, _subject.Script.Calls);
        Clock.Advance(Ms(500));
        Assert.Equal(3, _subject.TokenBucketSync());
    }

    [Fact]
    public async Task A_fixed_window_gives_every_permit_back_when_the_next_window_starts()
    {
        await _subject.FixedWindowAsync().WaitAsync(HangGuard);
        await _subject.FixedWindowAsync().WaitAsync(HangGuard);

        // The fake clock starts on a whole second, so the window ends 1000 ms from now.
        RateLimitRejectedException rejection = await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.FixedWindowAsync().WaitAsync(HangGuard));
        Assert.Equal(Ms(1_000), rejection.RetryAfter);
        Clock.Advance(Ms(999));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.FixedWindowAsync().WaitAsync(HangGuard));

        Clock.Advance(Ms(1));
        Assert.Equal(3, await _subject.FixedWindowAsync().WaitAsync(HangGuard));
        Assert.Equal(4, await _subject.FixedWindowAsync().WaitAsync(HangGuard));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.FixedWindowAsync().WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_sliding_window_gives_a_permit_back_only_when_its_call_leaves_the_window()
    {
        await _subject.SlidingWindowAsync().WaitAsync(HangGuard);
        Clock.Advance(Ms(500));
        await _subject.SlidingWindowAsync().WaitAsync(HangGuard);

        RateLimitRejectedException rejection = await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.SlidingWindowAsync().WaitAsync(HangGuard));
        Assert.Equal(Ms(500), rejection.RetryAfter);

        Clock.Advance(Ms(499));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.SlidingWindowAsync().WaitAsync(HangGuard));
        Clock.Advance(Ms(1));
        Assert.Equal(3, await _subject.SlidingWindowAsync().WaitAsync(HangGuard));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.SlidingWindowAsync().WaitAsync(HangGuard));
        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public async Task QueueLimit_calls_wait_for_the_next_permit_and_further_calls_are_rejected()
    {
        Assert.Equal(1, await _subject.QueuedAsync().WaitAsync(HangGuard));
        Task<int> queued = _subject.QueuedAsync();
        Assert.False(queued.IsCompleted);

        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.QueuedAsync().WaitAsync(HangGuard));
        Clock.Advance(Ms(999));
        Assert.False(queued.IsCompleted);
        Assert.Equal(1, _subject.Script.Calls);

        Clock.Advance(Ms(1));
        Assert.Equal(2, await queued.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_synchronous_method_waits_in_the_rate_limit_queue()
    {
        Assert.Equal(1, _subject.QueuedSync());
        Task<int> queued = Task.Run(() => _subject.QueuedSync());
        WaitForTimers(1);

        Assert.Throws<RateLimitRejectedException>(() => _subject.QueuedSync());
        Assert.Equal(1, _subject.Script.Calls);

        Clock.Advance(Ms(1_000));
        Assert.Equal(2, await queued.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task RateLimitKey_keeps_one_limit_per_key_value_null_included()
    {
        Assert.Equal(1, await _subject.PerUserAsync("alice").WaitAsync(HangGuard));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.PerUserAsync("alice").WaitAsync(HangGuard));

        Assert.Equal(2, await _subject.PerUserAsync("bob").WaitAsync(HangGuard));
        Assert.Equal(3, await _subject.PerUserAsync(null).WaitAsync(HangGuard));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.PerUserAsync(null).WaitAsync(HangGuard));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.PerUserAsync("bob").WaitAsync(HangGuard));

        Assert.Equal(new[] { "alice", "bob", null }, _subject.Users);
    }

    [Fact]
    public async Task A_rate_limit_rejection_is_not_a_breaker_failure()
    {
        await _subject.WithBreakerAsync().WaitAsync(HangGuard);

        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.WithBreakerAsync().WaitAsync(HangGuard));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.WithBreakerAsync().WaitAsync(HangGuard));

        CircuitBreakerState breaker = Registry.CircuitBreaker(typeof(RateLimitSubject).FullName + "." + nameof(RateLimitSubject.WithBreakerAsync));
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetMetrics().Failures);
        Assert.Equal(1, breaker.GetMetrics().Successes);
    }
}
