using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks.Sources;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.Tests.Telemetry;

namespace Resilience.Tests.Idempotency;

public sealed class IdempotencyStateTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly ResilienceRegistry _registry;

    public IdempotencyStateTests() => _registry = new ResilienceRegistry { TimeProvider = _clock };

    [Fact]
    public async Task The_first_call_runs_and_a_repeat_gets_a_copy_of_its_result()
    {
        IdempotencyState state = Create();
        IdempotentCall<List<int>> first = await state.BeginAsync<List<int>>("k", default);
        Assert.False(first.IsAnswered);
        var result = new List<int> { 1, 2 };
        await first.CompleteAsync(result);

        IdempotentCall<List<int>> repeat = await state.BeginAsync<List<int>>("k", default);

        Assert.True(repeat.IsAnswered);
        Assert.Equal(result, repeat.Result);
        Assert.NotSame(result, repeat.Result);
    }

    [Fact]
    public async Task A_call_ends_in_the_store_that_gave_its_claim_even_when_the_registrys_is_replaced_meanwhile()
    {
        var claimedIn = new InMemoryIdempotencyStore(timeProvider: _clock);
        var replacement = new InMemoryIdempotencyStore(timeProvider: _clock);
        _registry.UseIdempotencyStore(claimedIn);
        IdempotencyState state = Create();
        IdempotentCall<int> saved = await state.BeginAsync<int>("saved", default);
        IdempotentCall<int> released = await state.BeginAsync<int>("released", default);

        _registry.UseIdempotencyStore(replacement);
        await saved.CompleteAsync(7);
        released.Abandon();

        Assert.True(claimedIn.TryGet(state.Name, "saved", out byte[]? kept));
        Assert.Equal("7", System.Text.Encoding.UTF8.GetString(kept));
        Assert.False(replacement.TryGet(state.Name, "saved", out _));
        // The claim given back where it was taken: the key can be claimed there again.
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await claimedIn.TryClaimAsync(state.Name, "released", default)).Status);
    }

    [Fact]
    public async Task An_abandoned_call_stores_nothing()
    {
        IdempotencyState state = Create();
        (await state.BeginAsync<int>("k", default)).Abandon();

        Assert.False((await state.BeginAsync<int>("k", default)).IsAnswered);
    }

    [Fact]
    public async Task A_call_ends_once()
    {
        IdempotencyState state = Create();
        IdempotentCall<int> call = await state.BeginAsync<int>("k", default);
        await call.CompleteAsync(1);
        call.Abandon();
        Assert.False(call.Fail(new InvalidOperationException(), default));

        Assert.Equal(1, (await state.BeginAsync<int>("k", default)).Result);
    }

    [Fact]
    public async Task A_store_that_cannot_save_leaves_the_result_to_the_caller_and_counts_it_not_stored()
    {
        _registry.UseIdempotencyStore(new FailingSaveStore());
        var seen = new List<IdempotencyEventArgs>();
        using IDisposable listening = _registry.AddListener(new Listener(seen));
        IdempotencyState state = Create();

        await (await state.BeginAsync<int>("k", default)).CompleteAsync(1);

        Assert.Equal(new[] { IdempotencyOutcome.Miss, IdempotencyOutcome.NotStored }, seen.Select(e => e.Outcome));
        Assert.IsType<InvalidOperationException>(seen[1].Exception);
        Assert.Equal("orders.charge", seen[1].PolicyName);
    }

    [Fact]
    public async Task Overlapping_calls_with_one_key_share_one_run_and_each_gets_its_own_copy()
    {
        var seen = new List<IdempotencyEventArgs>();
        using IDisposable listening = _registry.AddListener(new Listener(seen));
        IdempotencyState state = Create();
        IdempotentCall<List<int>> running = await state.BeginAsync<List<int>>("k", default);

        Task<IdempotentCall<List<int>>> waiting = state.BeginAsync<List<int>>("k", default).AsTask();
        Assert.False(waiting.IsCompleted);
        var result = new List<int> { 1, 2 };
        await running.CompleteAsync(result);

        IdempotentCall<List<int>> shared = await waiting.Guarded();
        Assert.True(shared.IsAnswered);
        Assert.Equal(result, shared.Result);
        Assert.NotSame(result, shared.Result);
        Assert.Equal(new[] { IdempotencyOutcome.Miss, IdempotencyOutcome.Shared }, seen.Select(e => e.Outcome));
    }

    [Fact]
    public async Task A_failure_is_shared_with_the_waiting_calls_and_the_next_call_runs_again()
    {
        IdempotencyState state = Create();
        IdempotentCall<int> running = await state.BeginAsync<int>("k", default);
        Task<IdempotentCall<int>> waiting = state.BeginAsync<int>("k", default).AsTask();
        var declined = new InvalidOperationException("The charge was declined.");

        Assert.False(running.Fail(declined, default));

        Assert.Same(declined, await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.Guarded()));
        Assert.False((await state.BeginAsync<int>("k", default).Guarded()).IsAnswered);
    }

    [Fact]
    public async Task A_run_cancelled_by_its_own_caller_hands_the_key_to_a_waiting_call()
    {
        IdempotencyState state = Create();
        using var cts = new CancellationTokenSource();
        IdempotentCall<int> running = await state.BeginAsync<int>("k", cts.Token);
        Task<IdempotentCall<int>> waiting = state.BeginAsync<int>("k", default).AsTask();

        cts.Cancel();
        running.Fail(new OperationCanceledException(cts.Token), cts.Token);

        IdempotentCall<int> next = await waiting.Guarded();
        Assert.False(next.IsAnswered);
        await next.CompleteAsync(7);
        Assert.Equal(7, (await state.BeginAsync<int>("k", default)).Result);
    }

    [Fact]
    public async Task A_cancellation_that_is_not_the_callers_own_is_shared_as_a_failure()
    {
        IdempotencyState state = Create();
        IdempotentCall<int> running = await state.BeginAsync<int>("k", default);
        Task<IdempotentCall<int>> waiting = state.BeginAsync<int>("k", default).AsTask();

        // A timeout inside the call, say, while its caller's token was never cancelled.
        running.Fail(new OperationCanceledException("The dependency timed out."), CancellationToken.None);

        OperationCanceledException shared = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Guarded());
        Assert.Equal("The dependency timed out.", shared.Message);
    }

    [Fact]
    public async Task A_waiting_call_whose_token_is_cancelled_stops_waiting_and_the_run_goes_on()
    {
        IdempotencyState state = Create();
        IdempotentCall<int> running = await state.BeginAsync<int>("k", default);
        using var cts = new CancellationTokenSource();
        Task<IdempotentCall<int>> waiting = state.BeginAsync<int>("k", cts.Token).AsTask();

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Guarded());
        await running.CompleteAsync(5);
        Assert.Equal(5, (await state.BeginAsync<int>("k", default)).Result);
    }

    [Fact]
    public async Task Calls_are_counted_by_outcome_on_the_requests_counter()
    {
        using MetricCollector<long> requests = TelemetryTesting.Collect<long>("resilience.idempotency.requests");
        string name = TelemetryTesting.UniqueName("idempotency");
        IdempotencyState state = _registry.GetOrAddIdempotency(name, new IdempotencyOptions());

        IdempotentCall<int> first = await state.BeginAsync<int>("k", default);
        Task<IdempotentCall<int>> waiting = state.BeginAsync<int>("k", default).AsTask();
        await first.CompleteAsync(1);
        await waiting.Guarded();
        await state.BeginAsync<int>("k", default);

        IReadOnlyList<CollectedMeasurement<long>> measured = requests.For(name);
        Assert.Equal(new object[] { "miss", "shared", "hit" }, measured.Select(m => m.Tag(ResilienceMetrics.IdempotencyOutcomeTag)));
        Assert.All(measured, m => Assert.Equal(1, m.Value));
    }

    [Fact]
    public async Task A_repeat_answered_by_the_store_is_counted_as_a_hit()
    {
        var seen = new List<IdempotencyEventArgs>();
        using IDisposable listening = _registry.AddListener(new Listener(seen));
        IdempotencyState state = Create();
        await (await state.BeginAsync<int>("k", default)).CompleteAsync(1);

        await state.BeginAsync<int>("k", default);

        Assert.Equal(new[] { IdempotencyOutcome.Miss, IdempotencyOutcome.Hit }, seen.Select(e => e.Outcome));
    }

    [Fact]
    public async Task A_key_run_by_another_process_is_polled_ever_less_often_until_its_result_is_stored()
    {
        var store = new ElsewhereStore(inProgressAnswers: 3);
        _registry.UseIdempotencyStore(store);
        var seen = new List<IdempotencyEventArgs>();
        using IDisposable listening = _registry.AddListener(new Listener(seen));

        IdempotentCall<int> call = await Create().BeginAsync<int>("k", default).Guarded();

        Assert.True(call.IsAnswered);
        Assert.Equal(7, call.Result);
        Assert.Equal(new[] { IdempotencyOutcome.Shared }, seen.Select(e => e.Outcome));

        // 25 ms at first, then twice as long each time. Only lower bounds: a busy machine makes the waits longer, never shorter.
        TimeSpan[] waits = store.Waits;
        Assert.Equal(3, waits.Length);
        Assert.True(waits[0] >= TimeSpan.FromMilliseconds(20), $"The first wait was {waits[0]}.");
        Assert.True(waits[1] >= TimeSpan.FromMilliseconds(45), $"The second wait was {waits[1]}.");
        Assert.True(waits[2] >= TimeSpan.FromMilliseconds(95), $"The third wait was {waits[2]}.");
    }

    [Fact]
    public void Configuration_given_before_the_first_call_applies_from_the_start()
    {
        _registry.Configure(new Dictionary<string, PolicySettings> { ["orders.charge"] = new() { TtlMs = 1_000 } });

        Assert.Equal(TimeSpan.FromSeconds(1), Create().TimeToLive);
    }

    [Fact]
    public void A_synchronous_call_runs_once_and_a_synchronous_repeat_gets_its_result()
    {
        IdempotencyState state = Create();
        IdempotentCall<int> first = state.Begin<int>("k", CancellationToken.None);
        Assert.False(first.IsAnswered);
        first.Complete(3);

        IdempotentCall<int> repeat = state.Begin<int>("k", CancellationToken.None);
        Assert.True(repeat.IsAnswered);
        Assert.Equal(3, repeat.Result);
    }

    [Fact]
    public void A_synchronous_completion_returns_once_the_store_has_written_the_result()
    {
        var store = new SlowSaveStore(new InMemoryIdempotencyStore(timeProvider: _clock));
        _registry.UseIdempotencyStore(store);
        IdempotencyState state = Create();

        state.Begin<int>("k", CancellationToken.None).Complete(6);

        Assert.True(store.Saved);
        Assert.Equal(6, state.Begin<int>("k", CancellationToken.None).Result);
    }

    [Fact]
    public async Task A_call_from_a_blocked_synchronization_context_completes_when_the_store_answers_later()
    {
        var store = new LateStore(new InMemoryIdempotencyStore(timeProvider: _clock));
        _registry.UseIdempotencyStore(store);
        IdempotencyState state = Create();
        var blocked = new BlockedSynchronizationContext();

        Task<IdempotentCall<int>> begun = blocked.Start(() => state.BeginAsync<int>("k", default).AsTask());
        store.Answer();
        IdempotentCall<int> call = await begun.Guarded();
        Task completed = blocked.Start(() => call.CompleteAsync(3).AsTask());
        store.Answer();
        await completed.WaitAsync(TestSupport.HangGuard);

        Assert.Equal(0, blocked.Posted);
        Task<IdempotentCall<int>> repeat = state.BeginAsync<int>("k", default).AsTask();
        store.Answer();
        Assert.Equal(3, (await repeat.Guarded()).Result);
    }

    [Fact]
    public async Task Calls_waiting_from_a_blocked_synchronization_context_complete_when_the_run_ends()
    {
        IdempotencyState state = Create();
        IdempotentCall<int> running = await state.BeginAsync<int>("k", default);
        var blocked = new BlockedSynchronizationContext();
        using var cts = new CancellationTokenSource();
        Task<IdempotentCall<int>> withoutToken = blocked.Start(() => state.BeginAsync<int>("k", default).AsTask());
        Task<IdempotentCall<int>> withToken = blocked.Start(() => state.BeginAsync<int>("k", cts.Token).AsTask());

        await running.CompleteAsync(4);

        Assert.Equal(4, (await withoutToken.Guarded()).Result);
        Assert.Equal(4, (await withToken.Guarded()).Result);
        Assert.Equal(0, blocked.Posted);
    }

    [Fact]
    public async Task A_call_from_a_blocked_synchronization_context_completes_after_polling_another_processs_run()
    {
        _registry.UseIdempotencyStore(new ElsewhereStore(inProgressAnswers: 1));
        var blocked = new BlockedSynchronizationContext();

        Task<IdempotentCall<int>> begun = blocked.Start(() => Create().BeginAsync<int>("k", default).AsTask());

        Assert.Equal(7, (await begun.Guarded()).Result);
        Assert.Equal(0, blocked.Posted);
    }

    [Fact]
    public async Task A_release_the_store_completes_later_is_awaited_and_its_failure_dropped()
    {
        var store = new LateReleaseStore();
        _registry.UseIdempotencyStore(store);
        IdempotencyState state = Create();
        IdempotentCall<int> call = await state.BeginAsync<int>("k", default);
        var blocked = new BlockedSynchronizationContext();

        blocked.Start(() =>
        {
            call.Abandon();
            return true;
        });
        store.FailRelease(new InvalidOperationException("The store is unreachable."));

        Assert.True(store.ReleaseObserved);
        Assert.Equal(0, blocked.Posted);
    }

    [Fact]
    public void Settings_are_checked_by_the_shared_rule()
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => _registry.GetOrAddIdempotency("x", new IdempotencyOptions { TtlMs = 0 }));
        Assert.Contains("TtlMs", error.Message);
        Assert.Contains("at least 1", error.Message);
    }

    [Fact]
    public void The_time_to_live_defaults_to_24_hours_and_configuration_replaces_it()
    {
        IdempotencyState state = Create();
        Assert.Equal(TimeSpan.FromHours(24), state.TimeToLive);
        Assert.Equal(24 * 60 * 60 * 1000, new IdempotentAttribute().TtlMs);

        _registry.Configure(new Dictionary<string, PolicySettings> { ["orders.charge"] = new() { TtlMs = 1_000 } });
        Assert.Equal(TimeSpan.FromSeconds(1), state.TimeToLive);

        ArgumentException error = Assert.Throws<ArgumentException>(() => _registry.Configure(new Dictionary<string, PolicySettings> { ["orders.charge"] = new() { TtlMs = -1 } }));
        Assert.Contains("orders.charge:TtlMs is -1; it must be at least 1", error.Message);
    }

    [Theory]
    [InlineData(null, "null")]
    [InlineData("", "empty")]
    public void A_null_or_empty_key_names_its_parameter(string? key, string what)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => IdempotencyKeys.Require(key, "requestId"));

        Assert.Equal("requestId", error.ParamName);
        Assert.StartsWith($"The idempotency key 'requestId' is {what}; pass the value that identifies the request", error.Message);
    }

    [Fact]
    public void Key_texts_do_not_depend_on_the_culture()
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("ar-SA");
            Guid id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

            Assert.Equal("-1234567", IdempotencyKeys.Text(-1_234_567L));
            Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", IdempotencyKeys.Text(id));
            Assert.Equal("order-1", IdempotencyKeys.Text("order-1"));
            Assert.Null(IdempotencyKeys.Text((int?)null));
            Assert.Equal("Friday", IdempotencyKeys.Text(DayOfWeek.Friday));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    private IdempotencyState Create() => _registry.GetOrAddIdempotency("orders.charge", new IdempotencyOptions());

    /// <summary>A store on which another process runs every key: in progress for a few claims, then its result (7) is stored.</summary>
    private sealed class ElsewhereStore(int inProgressAnswers) : IIdempotencyStore
    {
        private readonly List<long> _claims = new();

        /// <summary>The time between one claim and the next.</summary>
        public TimeSpan[] Waits
        {
            get
            {
                lock (_claims)
                {
                    return _claims.Skip(1).Select((at, i) => Stopwatch.GetElapsedTime(_claims[i], at)).ToArray();
                }
            }
        }

        public ValueTask<IdempotencyClaim> TryClaimAsync(string policy, string key, CancellationToken cancellationToken)
        {
            lock (_claims)
            {
                _claims.Add(Stopwatch.GetTimestamp());
                return new(_claims.Count <= inProgressAnswers ? IdempotencyClaim.InProgress : IdempotencyClaim.Stored("7"u8.ToArray()));
            }
        }

        public ValueTask SaveAsync(string policy, string key, byte[] result, TimeSpan timeToLive, CancellationToken cancellationToken) => default;

        public ValueTask ReleaseAsync(string policy, string key, CancellationToken cancellationToken) => default;
    }

    /// <summary>A store that answers each request only when the test says so, as a remote store answers later.</summary>
    private sealed class LateStore(IIdempotencyStore inner) : IIdempotencyStore
    {
        private TaskCompletionSource _answer = new();

        /// <summary>Answers the requests made so far.</summary>
        public void Answer() => Interlocked.Exchange(ref _answer, new TaskCompletionSource()).SetResult();

        public async ValueTask<IdempotencyClaim> TryClaimAsync(string policy, string key, CancellationToken cancellationToken)
        {
            await Volatile.Read(ref _answer).Task.ConfigureAwait(false);
            return await inner.TryClaimAsync(policy, key, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask SaveAsync(string policy, string key, byte[] result, TimeSpan timeToLive, CancellationToken cancellationToken)
        {
            await Volatile.Read(ref _answer).Task.ConfigureAwait(false);
            await inner.SaveAsync(policy, key, result, timeToLive, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask ReleaseAsync(string policy, string key, CancellationToken cancellationToken)
        {
            await Volatile.Read(ref _answer).Task.ConfigureAwait(false);
            await inner.ReleaseAsync(policy, key, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A store whose writes take a while, on another thread.</summary>
    private sealed class SlowSaveStore(IIdempotencyStore inner) : IIdempotencyStore
    {
        private volatile bool _saved;

        public bool Saved => _saved;

        public ValueTask<IdempotencyClaim> TryClaimAsync(string policy, string key, CancellationToken cancellationToken) => inner.TryClaimAsync(policy, key, cancellationToken);

        public async ValueTask SaveAsync(string policy, string key, byte[] result, TimeSpan timeToLive, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            await inner.SaveAsync(policy, key, result, timeToLive, cancellationToken).ConfigureAwait(false);
            _saved = true;
        }

        public ValueTask ReleaseAsync(string policy, string key, CancellationToken cancellationToken) => inner.ReleaseAsync(policy, key, cancellationToken);
    }

    /// <summary>A store whose release completes later, through a pooled source that must be awaited to be reused.</summary>
    private sealed class LateReleaseStore : IIdempotencyStore, IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _release;

        /// <summary>True once the caller has taken the release's outcome.</summary>
        public bool ReleaseObserved { get; private set; }

        public void FailRelease(Exception error) => _release.SetException(error);

        public ValueTask<IdempotencyClaim> TryClaimAsync(string policy, string key, CancellationToken cancellationToken) => new(IdempotencyClaim.Claimed);

        public ValueTask SaveAsync(string policy, string key, byte[] result, TimeSpan timeToLive, CancellationToken cancellationToken) => default;

        public ValueTask ReleaseAsync(string policy, string key, CancellationToken cancellationToken) => new(this, _release.Version);

        void IValueTaskSource.GetResult(short token)
        {
            ReleaseObserved = true;
            _release.GetResult(token);
        }

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _release.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _release.OnCompleted(continuation, state, token, flags);
    }

    private sealed class FailingSaveStore : IIdempotencyStore
    {
        public ValueTask<IdempotencyClaim> TryClaimAsync(string policy, string key, CancellationToken cancellationToken) => new(IdempotencyClaim.Claimed);

        public ValueTask SaveAsync(string policy, string key, byte[] result, TimeSpan timeToLive, CancellationToken cancellationToken)
            => throw new InvalidOperationException("the store is read-only");

        public ValueTask ReleaseAsync(string policy, string key, CancellationToken cancellationToken) => default;
    }

    private sealed class Listener(List<IdempotencyEventArgs> seen) : ResilienceListener
    {
        public override void OnIdempotency(IdempotencyEventArgs e) => seen.Add(e);
    }
}
