using System.Text.Json;
using System.Text.Json.Serialization;

namespace Resilience.Generators.Tests.Behaviour;

public sealed record IdempotentReceipt(string Id, decimal Amount, int Run);

/// <summary>A context that knows the receipt, as an application trimmed for native AOT would give.</summary>
[JsonSerializable(typeof(IdempotentReceipt))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
public sealed partial class ReceiptJsonContext : JsonSerializerContext;

/// <summary>A context that does not know the receipt.</summary>
[JsonSerializable(typeof(int))]
public sealed partial class UnrelatedJsonContext : JsonSerializerContext;

public partial class IdempotencySubject
{
    public const string Limit = "behaviour-idempotency-limit";

    private int _charges;
    private int _refunds;
    private int _reservations;
    private int _sends;
    private int _fallbacks;
    private Exception? _failNext;

    public int Charges => Volatile.Read(ref _charges);

    public int Refunds => Volatile.Read(ref _refunds);

    public int Reservations => Volatile.Read(ref _reservations);

    public int Sends => Volatile.Read(ref _sends);

    public int Fallbacks => Volatile.Read(ref _fallbacks);

    /// <summary>When set, each run waits for it (with its caller's token) before it returns.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public void FailNext(Exception error) => Volatile.Write(ref _failNext, error);

    [Idempotent(TtlMs = 60_000)]
    public partial Task<IdempotentReceipt> ChargeAsync([IdempotencyKey] string? requestId, decimal amount, CancellationToken ct);

    private async Task<IdempotentReceipt> ChargeAsyncCore(string? requestId, decimal amount, CancellationToken ct)
    {
        int run = Interlocked.Increment(ref _charges);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(ct);
        }

        if (Interlocked.Exchange(ref _failNext, null) is { } error)
        {
            throw error;
        }

        return new IdempotentReceipt(requestId!, amount, run);
    }

    [Idempotent]
    public partial Task<IdempotentReceipt> RefundAsync([IdempotencyKey] string requestId, decimal amount, CancellationToken ct);

    private Task<IdempotentReceipt> RefundAsyncCore(string requestId, decimal amount, CancellationToken ct)
        => Task.FromResult(new IdempotentReceipt(requestId, -amount, Interlocked.Increment(ref _refunds)));

    [Idempotent]
    public partial int Reserve([IdempotencyKey] Guid orderId);

    private int ReserveCore(Guid orderId) => Interlocked.Increment(ref _reservations);

    [Idempotent]
    public partial ValueTask SendAsync([IdempotencyKey] long messageId, CancellationToken ct);

    private ValueTask SendAsyncCore(long messageId, CancellationToken ct)
    {
        Interlocked.Increment(ref _sends);
        return default;
    }

    [Idempotent]
    [Fallback(nameof(Declined))]
    public partial Task<IdempotentReceipt> ChargeOrDeclineAsync([IdempotencyKey] string requestId, decimal amount, CancellationToken ct);

    private Task<IdempotentReceipt> ChargeOrDeclineAsyncCore(string requestId, decimal amount, CancellationToken ct) => ChargeAsyncCore(requestId, amount, ct);

    private IdempotentReceipt Declined(string requestId, decimal amount, CancellationToken ct)
    {
        Interlocked.Increment(ref _fallbacks);
        return new IdempotentReceipt("declined", 0, 0);
    }

    [Idempotent]
    [RateLimit(1, 60_000, Name = Limit)]
    public partial Task<IdempotentReceipt> LimitedChargeAsync([IdempotencyKey] string requestId, decimal amount, CancellationToken ct);

    private Task<IdempotentReceipt> LimitedChargeAsyncCore(string requestId, decimal amount, CancellationToken ct) => ChargeAsyncCore(requestId, amount, ct);
}

[Collection(RegistryCollection.Name)]
public sealed class IdempotencyBehaviourTests : RegistryTest
{
    private readonly IdempotencySubject _subject = new();

    [Fact]
    public async Task A_repeat_is_answered_with_the_first_result_without_running_again()
    {
        IdempotentReceipt first = await _subject.ChargeAsync("req-1", 10m, default);
        IdempotentReceipt second = await _subject.ChargeAsync("req-1", 99m, default);

        Assert.Equal(new IdempotentReceipt("req-1", 10m, 1), first);
        Assert.Equal(first, second);
        Assert.NotSame(first, second);
        Assert.Equal(1, _subject.Charges);

        IdempotentReceipt other = await _subject.ChargeAsync("req-2", 5m, default);
        Assert.Equal(new IdempotentReceipt("req-2", 5m, 2), other);
        Assert.Equal(2, _subject.Charges);
    }

    [Fact]
    public async Task A_failure_is_not_stored_so_the_next_call_runs_and_succeeds()
    {
        _subject.FailNext(new InvalidOperationException("card declined by the network"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _subject.ChargeAsync("req-1", 10m, default));
        IdempotentReceipt retried = await _subject.ChargeAsync("req-1", 10m, default);
        IdempotentReceipt repeated = await _subject.ChargeAsync("req-1", 10m, default);

        Assert.Equal(2, retried.Run);
        Assert.Equal(retried, repeated);
        Assert.Equal(2, _subject.Charges);
    }

    [Fact]
    public async Task Concurrent_calls_with_one_key_share_one_run()
    {
        _subject.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<IdempotentReceipt>[] calls = Enumerable.Range(0, 8).Select(_ => _subject.ChargeAsync("req-1", 10m, default)).ToArray();

        WaitUntil(() => _subject.Charges == 1, "the first call ran");
        Assert.All(calls, c => Assert.False(c.IsCompleted));
        _subject.Gate.SetResult();
        IdempotentReceipt[] results = await Task.WhenAll(calls).WaitAsync(HangGuard);

        Assert.Equal(1, _subject.Charges);
        Assert.All(results, r => Assert.Equal(new IdempotentReceipt("req-1", 10m, 1), r));
    }

    [Fact]
    public async Task Racing_threads_with_one_key_run_it_once()
    {
        _subject.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var start = new Barrier(4);
        Task<IdempotentReceipt>[] calls = Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() =>
            {
                start.SignalAndWait(HangGuard);
                return _subject.ChargeAsync("race", 1m, default);
            }))
            .ToArray();
        WaitUntil(() => _subject.Charges >= 1, "a call ran");
        _subject.Gate.SetResult();

        IdempotentReceipt[] results = await Task.WhenAll(calls).WaitAsync(HangGuard);

        Assert.Equal(1, _subject.Charges);
        Assert.Single(results.Distinct());
    }

    [Fact]
    public async Task A_waiter_that_cancels_stops_waiting_but_the_run_goes_on_for_the_others()
    {
        _subject.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<IdempotentReceipt> runner = _subject.ChargeAsync("req-1", 10m, default);
        using var waiterToken = new CancellationTokenSource();
        Task<IdempotentReceipt> waiter = _subject.ChargeAsync("req-1", 10m, waiterToken.Token);
        Task<IdempotentReceipt> patient = _subject.ChargeAsync("req-1", 10m, default);

        waiterToken.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync(HangGuard));
        Assert.False(runner.IsCompleted);

        _subject.Gate.SetResult();
        Assert.Equal(1, (await runner.WaitAsync(HangGuard)).Run);
        Assert.Equal(1, (await patient.WaitAsync(HangGuard)).Run);
        Assert.Equal(1, _subject.Charges);
    }

    [Fact]
    public async Task When_the_running_call_is_cancelled_by_its_caller_a_waiter_runs_the_key_itself()
    {
        _subject.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var runnerToken = new CancellationTokenSource();
        Task<IdempotentReceipt> runner = _subject.ChargeAsync("req-1", 10m, runnerToken.Token);
        Task<IdempotentReceipt> waiter = _subject.ChargeAsync("req-1", 10m, default);

        runnerToken.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.WaitAsync(HangGuard));
        WaitUntil(() => _subject.Charges == 2, "the waiter ran the key");
        _subject.Gate.SetResult();

        Assert.Equal(2, (await waiter.WaitAsync(HangGuard)).Run);
    }

    [Fact]
    public async Task Waiters_share_the_failure_of_the_run_and_nothing_is_stored()
    {
        _subject.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _subject.FailNext(new InvalidOperationException("gateway down"));
        Task<IdempotentReceipt> runner = _subject.ChargeAsync("req-1", 10m, default);
        Task<IdempotentReceipt> waiter = _subject.ChargeAsync("req-1", 10m, default);

        _subject.Gate.SetResult();
        InvalidOperationException runnerError = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.WaitAsync(HangGuard));
        InvalidOperationException waiterError = await Assert.ThrowsAsync<InvalidOperationException>(() => waiter.WaitAsync(HangGuard));
        Assert.Same(runnerError, waiterError);
        Assert.Equal(1, _subject.Charges);

        _subject.Gate = null;
        Assert.Equal(2, (await _subject.ChargeAsync("req-1", 10m, default)).Run);
    }

    [Fact]
    public async Task Keys_are_kept_per_method_so_two_methods_never_answer_each_other()
    {
        IdempotentReceipt charge = await _subject.ChargeAsync("shared-key", 10m, default);
        IdempotentReceipt refund = await _subject.RefundAsync("shared-key", 10m, default);

        Assert.Equal(10m, charge.Amount);
        Assert.Equal(-10m, refund.Amount);
        Assert.Equal(1, _subject.Charges);
        Assert.Equal(1, _subject.Refunds);
    }

    [Fact]
    public async Task A_stored_result_expires_after_its_time_to_live_on_the_registrys_clock()
    {
        await _subject.ChargeAsync("req-1", 10m, default);
        Clock.Advance(TimeSpan.FromMilliseconds(59_999));
        Assert.Equal(1, (await _subject.ChargeAsync("req-1", 10m, default)).Run);

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, (await _subject.ChargeAsync("req-1", 10m, default)).Run);
        Assert.Equal(2, _subject.Charges);
    }

    [Fact]
    public async Task Configuration_replaces_the_time_to_live()
    {
        Registry.Configure(new Dictionary<string, PolicySettings> { [PolicyName(nameof(IdempotencySubject.ChargeAsync))] = new() { TtlMs = 1_000 } });

        await _subject.ChargeAsync("req-1", 10m, default);
        Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(2, (await _subject.ChargeAsync("req-1", 10m, default)).Run);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_null_or_empty_key_is_refused_before_anything_runs_or_is_stored(string? key)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => { _ = _subject.ChargeAsync(key, 10m, default); });

        Assert.Equal("requestId", error.ParamName);
        Assert.Contains("idempotency key 'requestId'", error.Message);
        Assert.Equal(0, _subject.Charges);
        Assert.Equal(0, ((InMemoryIdempotencyStore)Registry.IdempotencyStore).Count);
        Assert.Equal(1, (await _subject.ChargeAsync("req-1", 10m, default)).Run);
    }

    [Fact]
    public void A_synchronous_method_with_a_guid_key_runs_once_per_key()
    {
        Guid order = Guid.NewGuid();

        Assert.Equal(1, _subject.Reserve(order));
        Assert.Equal(1, _subject.Reserve(order));
        Assert.Equal(2, _subject.Reserve(Guid.NewGuid()));
        Assert.Equal(2, _subject.Reservations);
    }

    [Fact]
    public async Task A_method_without_a_result_runs_once_per_key()
    {
        await _subject.SendAsync(42, default);
        await _subject.SendAsync(42, default);
        await _subject.SendAsync(-42, default);

        Assert.Equal(2, _subject.Sends);
    }

    [Fact]
    public async Task A_fallbacks_answer_is_never_stored_as_the_keys_result()
    {
        _subject.FailNext(new InvalidOperationException("gateway down"));

        Assert.Equal("declined", (await _subject.ChargeOrDeclineAsync("req-1", 10m, default)).Id);
        IdempotentReceipt charged = await _subject.ChargeOrDeclineAsync("req-1", 10m, default);
        IdempotentReceipt repeated = await _subject.ChargeOrDeclineAsync("req-1", 10m, default);

        Assert.Equal("req-1", charged.Id);
        Assert.Equal(charged, repeated);
        Assert.Equal(2, _subject.Charges);
        Assert.Equal(1, _subject.Fallbacks);
    }

    [Fact]
    public async Task A_repeat_takes_no_rate_limit_permit()
    {
        await _subject.LimitedChargeAsync("req-1", 10m, default);
        IdempotentReceipt repeated = await _subject.LimitedChargeAsync("req-1", 10m, default);

        Assert.Equal(1, repeated.Run);
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.LimitedChargeAsync("req-2", 10m, default));
    }

    [Fact]
    public async Task A_source_generated_context_serializes_the_results()
    {
        Registry.JsonSerializerOptions = new JsonSerializerOptions { TypeInfoResolver = ReceiptJsonContext.Default };

        IdempotentReceipt first = await _subject.ChargeAsync("req-1", 10m, default);
        IdempotentReceipt second = await _subject.ChargeAsync("req-1", 10m, default);

        Assert.Equal(first, second);
        Assert.Equal(1, _subject.Charges);
    }

    [Fact]
    public async Task A_result_type_the_serializer_cannot_write_fails_at_first_use_before_running()
    {
        Registry.JsonSerializerOptions = new JsonSerializerOptions { TypeInfoResolver = UnrelatedJsonContext.Default };

        ResultSerializationException error = await Assert.ThrowsAsync<ResultSerializationException>(() => _subject.ChargeAsync("req-1", 10m, default));

        Assert.Contains(nameof(IdempotentReceipt), error.Message);
        Assert.Equal(0, _subject.Charges);
        Assert.Equal(0, ((InMemoryIdempotencyStore)Registry.IdempotencyStore).Count);
    }

    [Fact]
    public async Task Hits_misses_and_shared_runs_are_told_to_listeners()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<IdempotencyOutcome>();
        using IDisposable listening = Registry.AddListener(new OutcomeListener(seen));
        _subject.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<IdempotentReceipt> runner = _subject.ChargeAsync("req-1", 10m, default);
        Task<IdempotentReceipt> waiter = _subject.ChargeAsync("req-1", 10m, default);
        _subject.Gate.SetResult();
        await Task.WhenAll(runner, waiter).WaitAsync(HangGuard);
        await _subject.ChargeAsync("req-1", 10m, default);

        Assert.Equal(new[] { IdempotencyOutcome.Miss, IdempotencyOutcome.Shared, IdempotencyOutcome.Hit }, seen.ToArray());
    }

    private static string PolicyName(string method) => typeof(IdempotencySubject).FullName + "." + method;

    private sealed class OutcomeListener(System.Collections.Concurrent.ConcurrentQueue<IdempotencyOutcome> seen) : ResilienceListener
    {
        public override void OnIdempotency(IdempotencyEventArgs e) => seen.Enqueue(e.Outcome);
    }
}
