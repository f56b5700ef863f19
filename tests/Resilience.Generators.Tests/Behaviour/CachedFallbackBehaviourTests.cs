using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Resilience.Generators.Tests.Behaviour;

public partial class CachedFallbackSubject
{
    public const int DurationMs = 10_000;

    private int _fallbackCalls;

    public CoreScript Script { get; } = new();

    public int FallbackCalls => Volatile.Read(ref _fallbackCalls);

    [CachedFallback(DurationMs)]
    public partial Task<int> GetAsync(string id, int version);

    private Task<int> GetAsyncCore(string id, int version) => Script.RunAsync();

    [CachedFallback(DurationMs)]
    public partial int Get(string id);

    private int GetCore(string id) => Script.Run();

    [CachedFallback(DurationMs)]
    public partial ValueTask<int> GetValueAsync(Guid id, CancellationToken cancellationToken);

    private ValueTask<int> GetValueAsyncCore(Guid id, CancellationToken cancellationToken) => new(Script.RunAsync(cancellationToken));

    [CachedFallback(DurationMs, HandleResult = nameof(IsNegative))]
    public partial Task<int> HandledAsync(string id);

    private Task<int> HandledAsyncCore(string id) => Script.RunAsync();

    [CachedFallback(DurationMs, HandleResult = nameof(IsNegative))]
    public partial int HandledSync(string id);

    private int HandledSyncCore(string id) => Script.Run();

    [CircuitBreaker(1, BreakDurationMs = 60_000)]
    [CachedFallback(DurationMs)]
    public partial Task<int> BreakerAsync(string id);

    private Task<int> BreakerAsyncCore(string id) => Script.RunAsync();

    [CircuitBreaker(1, BreakDurationMs = 60_000)]
    [CachedFallback(DurationMs)]
    public partial int BreakerSync(string id);

    private int BreakerSyncCore(string id) => Script.Run();

    [RateLimit(1, 60_000)]
    [CachedFallback(DurationMs)]
    public partial Task<int> LimitedAsync(string id);

    private Task<int> LimitedAsyncCore(string id) => Script.RunAsync();

    [Bulkhead(1, Name = "behaviour-cached-fallback-bulkhead")]
    [CachedFallback(DurationMs)]
    public partial int BulkheadSync(string id);

    private int BulkheadSyncCore(string id) => Script.Run();

    [Retry(3, DelayMs = 0)]
    [CircuitBreaker(10, BreakDurationMs = 60_000)]
    [CachedFallback(DurationMs)]
    [Fallback(nameof(Fallback))]
    public partial Task<int> WithFallbackAsync(string id);

    private Task<int> WithFallbackAsyncCore(string id) => Script.RunAsync();

    [CircuitBreaker(1, BreakDurationMs = 60_000)]
    [CachedFallback(DurationMs)]
    [Fallback(nameof(Fallback))]
    public partial Task<int> OpenCircuitWithFallbackAsync(string id);

    private Task<int> OpenCircuitWithFallbackAsyncCore(string id) => Script.RunAsync();

    [CachedFallback(DurationMs, Handle = new[] { typeof(TimeoutException) })]
    public partial Task<int> OnlyTimeoutsAsync(string id);

    private Task<int> OnlyTimeoutsAsyncCore(string id) => Script.RunAsync();

    [CachedFallback(DurationMs, MaxEntries = 3)]
    public partial int Bounded(int id);

    private int BoundedCore(int id) => Script.Run();

    [CachedFallback(DurationMs)]
    public partial Task<int> CancellableAsync(string id, CancellationToken cancellationToken);

    private Task<int> CancellableAsyncCore(string id, CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    private static bool IsNegative(int result) => result < 0;

    private int Fallback(string id)
    {
        Interlocked.Increment(ref _fallbackCalls);
        return -1_000;
    }
}

[Collection(RegistryCollection.Name)]
public sealed class CachedFallbackBehaviourTests : RegistryTest
{
    private const string Method = "Resilience.Generators.Tests.Behaviour.CachedFallbackSubject.";

    private readonly CachedFallbackSubject _subject = new();
    private readonly IOException _failure = new("down");

    /// <summary>Makes every later call of the core fail with <see cref="_failure"/>.</summary>
    private void FailFromNowOn()
    {
        _subject.Script.Async = (_, _) => Task.FromException<int>(_failure);
        _subject.Script.Sync = (_, _) => throw _failure;
    }

    /// <summary>Makes every later call of the core return <paramref name="result"/>.</summary>
    private void SucceedWith(int result)
    {
        _subject.Script.Async = (_, _) => Task.FromResult(result);
        _subject.Script.Sync = (_, _) => result;
    }

    [Fact]
    public async Task An_exception_is_answered_with_the_last_good_result_for_the_same_arguments()
    {
        SucceedWith(7);
        Assert.Equal(7, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        SucceedWith(8);
        Assert.Equal(8, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        FailFromNowOn();

        Assert.Equal(8, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        Assert.Equal(3, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_result_from_an_asynchronous_core_that_completes_later_is_kept_too()
    {
        _subject.Script.Async = static async (call, _) =>
        {
            await Task.Yield();
            return 40 + call;
        };
        Assert.Equal(41, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        FailFromNowOn();

        Assert.Equal(41, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
    }

    [Fact]
    public void A_synchronous_method_is_answered_from_the_cache()
    {
        SucceedWith(5);
        Assert.Equal(5, _subject.Get("a"));
        FailFromNowOn();

        Assert.Equal(5, _subject.Get("a"));
    }

    [Fact]
    public async Task A_value_task_method_is_answered_from_the_cache()
    {
        Guid id = Guid.NewGuid();
        SucceedWith(6);
        Assert.Equal(6, await _subject.GetValueAsync(id, CancellationToken.None).AsTask().WaitAsync(HangGuard));
        FailFromNowOn();

        Assert.Equal(6, await _subject.GetValueAsync(id, CancellationToken.None).AsTask().WaitAsync(HangGuard));
    }

    [Fact]
    public async Task Without_a_kept_result_the_failure_reaches_the_caller()
    {
        FailFromNowOn();

        IOException thrown = await Assert.ThrowsAsync<IOException>(() => _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        Assert.Same(_failure, thrown);
        Assert.Throws<IOException>(() => _subject.Get("a"));
    }

    [Fact]
    public async Task Each_set_of_arguments_has_its_own_result()
    {
        _subject.Script.Async = static (call, _) => Task.FromResult(call * 10);
        Assert.Equal(10, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        Assert.Equal(20, await _subject.GetAsync("a", 2).WaitAsync(HangGuard));
        Assert.Equal(30, await _subject.GetAsync("b", 1).WaitAsync(HangGuard));
        FailFromNowOn();

        Assert.Equal(10, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        Assert.Equal(20, await _subject.GetAsync("a", 2).WaitAsync(HangGuard));
        Assert.Equal(30, await _subject.GetAsync("b", 1).WaitAsync(HangGuard));
        await Assert.ThrowsAsync<IOException>(() => _subject.GetAsync("b", 2).WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_result_older_than_the_duration_does_not_answer()
    {
        SucceedWith(7);
        Assert.Equal(7, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        FailFromNowOn();

        Clock.Advance(Ms(CachedFallbackSubject.DurationMs - 1));
        Assert.Equal(7, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        Clock.Advance(Ms(1));
        await Assert.ThrowsAsync<IOException>(() => _subject.GetAsync("a", 1).WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_handled_result_is_answered_and_never_kept()
    {
        SucceedWith(3);
        Assert.Equal(3, await _subject.HandledAsync("a").WaitAsync(HangGuard));
        SucceedWith(-1);

        Assert.Equal(3, await _subject.HandledAsync("a").WaitAsync(HangGuard));
        Assert.Equal(-1, await _subject.HandledAsync("b").WaitAsync(HangGuard));
    }

    [Fact]
    public void A_handled_result_of_a_synchronous_method_is_answered()
    {
        SucceedWith(4);
        Assert.Equal(4, _subject.HandledSync("a"));
        SucceedWith(-2);

        Assert.Equal(4, _subject.HandledSync("a"));
        Assert.Equal(-2, _subject.HandledSync("b"));
    }

    [Fact]
    public async Task An_open_circuit_is_answered_without_calling_the_core()
    {
        SucceedWith(9);
        Assert.Equal(9, await _subject.BreakerAsync("a").WaitAsync(HangGuard));
        FailFromNowOn();
        Assert.Equal(9, await _subject.BreakerAsync("a").WaitAsync(HangGuard));
        Assert.Equal(CircuitState.Open, Registry.CircuitBreaker(Method + nameof(CachedFallbackSubject.BreakerAsync)).State);
        int calls = _subject.Script.Calls;

        Assert.Equal(9, await _subject.BreakerAsync("a").WaitAsync(HangGuard));
        Assert.Equal(calls, _subject.Script.Calls);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => _subject.BreakerAsync("b").WaitAsync(HangGuard));
    }

    [Fact]
    public void An_open_circuit_of_a_synchronous_method_is_answered()
    {
        SucceedWith(9);
        Assert.Equal(9, _subject.BreakerSync("a"));
        FailFromNowOn();
        Assert.Equal(9, _subject.BreakerSync("a"));
        int calls = _subject.Script.Calls;

        Assert.Equal(9, _subject.BreakerSync("a"));
        Assert.Equal(calls, _subject.Script.Calls);
        Assert.Throws<BrokenCircuitException>(() => _subject.BreakerSync("b"));
    }

    [Fact]
    public async Task A_rate_limit_rejection_is_answered()
    {
        SucceedWith(11);
        Assert.Equal(11, await _subject.LimitedAsync("a").WaitAsync(HangGuard));

        Assert.Equal(11, await _subject.LimitedAsync("a").WaitAsync(HangGuard));
        Assert.Equal(1, _subject.Script.Calls);
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.LimitedAsync("b").WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_full_bulkhead_is_answered()
    {
        SucceedWith(12);
        Assert.Equal(12, _subject.BulkheadSync("a"));
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        _subject.Script.Sync = (_, _) =>
        {
            inside.Set();
            release.Wait(HangGuard);
            return 13;
        };
        Task<int> holder = Task.Run(() => _subject.BulkheadSync("b"));
        Assert.True(inside.Wait(HangGuard));
        try
        {
            Assert.Equal(12, _subject.BulkheadSync("a"));
            Assert.Throws<BulkheadRejectedException>(() => _subject.BulkheadSync("c"));
        }
        finally
        {
            release.Set();
        }

        Assert.Equal(13, await holder.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task The_cache_answers_before_the_fallback_method_which_answers_a_miss()
    {
        SucceedWith(21);
        Assert.Equal(21, await _subject.WithFallbackAsync("a").WaitAsync(HangGuard));
        FailFromNowOn();

        Assert.Equal(21, await _subject.WithFallbackAsync("a").WaitAsync(HangGuard));
        Assert.Equal(0, _subject.FallbackCalls);
        Assert.Equal(-1_000, await _subject.WithFallbackAsync("b").WaitAsync(HangGuard));
        Assert.Equal(1, _subject.FallbackCalls);
    }

    [Fact]
    public async Task An_open_circuit_goes_to_the_cache_first_then_to_the_fallback()
    {
        SucceedWith(22);
        Assert.Equal(22, await _subject.OpenCircuitWithFallbackAsync("a").WaitAsync(HangGuard));
        FailFromNowOn();
        Assert.Equal(22, await _subject.OpenCircuitWithFallbackAsync("a").WaitAsync(HangGuard));
        int calls = _subject.Script.Calls;

        Assert.Equal(22, await _subject.OpenCircuitWithFallbackAsync("a").WaitAsync(HangGuard));
        Assert.Equal(0, _subject.FallbackCalls);
        Assert.Equal(-1_000, await _subject.OpenCircuitWithFallbackAsync("b").WaitAsync(HangGuard));
        Assert.Equal(1, _subject.FallbackCalls);
        Assert.Equal(calls, _subject.Script.Calls);
    }

    [Fact]
    public async Task Only_the_handled_exception_types_are_answered()
    {
        SucceedWith(31);
        Assert.Equal(31, await _subject.OnlyTimeoutsAsync("a").WaitAsync(HangGuard));

        _subject.Script.Async = static (_, _) => Task.FromException<int>(new TimeoutException());
        Assert.Equal(31, await _subject.OnlyTimeoutsAsync("a").WaitAsync(HangGuard));
        FailFromNowOn();
        await Assert.ThrowsAsync<IOException>(() => _subject.OnlyTimeoutsAsync("a").WaitAsync(HangGuard));
    }

    [Fact]
    public async Task The_callers_cancellation_is_never_answered_from_the_cache()
    {
        SucceedWith(41);
        Assert.Equal(41, await _subject.CancellableAsync("a", CancellationToken.None).WaitAsync(HangGuard));
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);
        using var caller = new CancellationTokenSource();

        Task<int> call = _subject.CancellableAsync("a", caller.Token);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(0, Registry.CachedFallbacks.Single(c => c.Name == Method + nameof(CachedFallbackSubject.CancellableAsync)).Hits);
    }

    [Fact]
    public async Task A_cancellation_that_is_not_the_callers_is_a_failure_it_answers()
    {
        SucceedWith(42);
        Assert.Equal(42, await _subject.CancellableAsync("a", CancellationToken.None).WaitAsync(HangGuard));
        _subject.Script.Async = static (_, _) => Task.FromException<int>(new OperationCanceledException("the dependency gave up"));

        Assert.Equal(42, await _subject.CancellableAsync("a", CancellationToken.None).WaitAsync(HangGuard));
    }

    [Fact]
    public void Memory_is_bounded_by_MaxEntries_and_the_newest_results_stay()
    {
        _subject.Script.Sync = static (call, _) => call;
        for (int id = 1; id <= 10; id++)
        {
            Assert.Equal(id, _subject.Bounded(id));
            Clock.Advance(Ms(1));
        }

        CachedFallbackState cache = Registry.CachedFallbacks.Single(c => c.Name == Method + nameof(CachedFallbackSubject.Bounded));
        Assert.InRange(cache.Count, 1, 3);
        FailFromNowOn();
        Assert.Equal(10, _subject.Bounded(10));
        Assert.Throws<IOException>(() => _subject.Bounded(1));
    }

    [Fact]
    public async Task Hits_and_misses_are_counted_on_the_meter_and_on_the_state()
    {
        using var hits = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.cached_fallback.hits");
        using var misses = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.cached_fallback.misses");
        using var calls = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.calls");
        string method = Method + nameof(CachedFallbackSubject.GetAsync);
        SucceedWith(1);
        await _subject.GetAsync("a", 1).WaitAsync(HangGuard);
        FailFromNowOn();

        await _subject.GetAsync("a", 1).WaitAsync(HangGuard);
        await _subject.GetAsync("a", 1).WaitAsync(HangGuard);
        await Assert.ThrowsAsync<IOException>(() => _subject.GetAsync("z", 1).WaitAsync(HangGuard));

        CollectedMeasurement<long>[] hitsOfMethod = hits.GetMeasurementSnapshot().Where(m => Equals(m.Tags["resilience.method"], method)).ToArray();
        Assert.Equal(2, hitsOfMethod.Sum(m => m.Value));
        Assert.Equal(method, hitsOfMethod[0].Tags["resilience.policy"]);
        Assert.Equal(1, misses.GetMeasurementSnapshot().Where(m => Equals(m.Tags["resilience.method"], method)).Sum(m => m.Value));
        Assert.Equal(2, calls.GetMeasurementSnapshot().Count(m => Equals(m.Tags["resilience.method"], method) && Equals(m.Tags["resilience.outcome"], "fallback")));
        CachedFallbackState cache = Registry.CachedFallbacks.Single(c => c.Name == method);
        Assert.Equal(2, cache.Hits);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public async Task Listeners_are_told_of_each_answer_with_the_failure_it_answered()
    {
        var seen = new ConcurrentQueue<CachedFallbackEventArgs>();
        using IDisposable registration = Registry.AddListener(new CachedFallbackRecorder(seen));
        SucceedWith(1);
        await _subject.GetAsync("a", 1).WaitAsync(HangGuard);
        FailFromNowOn();

        await _subject.GetAsync("a", 1).WaitAsync(HangGuard);

        CachedFallbackEventArgs e = Assert.Single(seen);
        Assert.Same(_failure, e.Exception);
        Assert.Equal(Method + nameof(CachedFallbackSubject.GetAsync), e.MethodName);
        Assert.False(e.FromSharedStore);
    }

    [Fact]
    public async Task Configuration_replaces_the_duration_under_the_methods_policy_name()
    {
        string method = Method + nameof(CachedFallbackSubject.GetAsync);
        Registry.Configure(new Dictionary<string, PolicySettings> { [method] = new() { DurationMs = 100 } });
        SucceedWith(7);
        Assert.Equal(7, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        FailFromNowOn();

        Assert.Equal(100, Registry.CachedFallbacks.Single(c => c.Name == method).Options.DurationMs);
        Clock.Advance(Ms(100));
        await Assert.ThrowsAsync<IOException>(() => _subject.GetAsync("a", 1).WaitAsync(HangGuard));
    }

    [Fact]
    public void Configuration_refuses_a_duration_out_of_range()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Registry.Configure(new Dictionary<string, PolicySettings> { ["x"] = new() { DurationMs = 0, MaxEntries = 0 } }));
        Assert.Contains("x:DurationMs is 0; it must be at least 1", e.Message);
        Assert.Contains("x:MaxEntries is 0; it must be at least 1", e.Message);
    }

    [Fact]
    public async Task The_registry_reset_forgets_the_results()
    {
        SucceedWith(7);
        Assert.Equal(7, await _subject.GetAsync("a", 1).WaitAsync(HangGuard));
        Registry.Reset();
        Registry.TimeProvider = Clock;
        FailFromNowOn();

        await Assert.ThrowsAsync<IOException>(() => _subject.GetAsync("a", 1).WaitAsync(HangGuard));
    }

    private sealed class CachedFallbackRecorder(ConcurrentQueue<CachedFallbackEventArgs> seen) : ResilienceListener
    {
        public override void OnCachedFallback(CachedFallbackEventArgs e) => seen.Enqueue(e);
    }
}
