using System;
using System.ComponentModel;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// One call with an idempotency key (see <see cref="IdempotencyState"/>): answered already, or run by its caller, who
/// ends it exactly once with <see cref="CompleteAsync"/> (a success, stored), <see cref="Fail"/> (a failure, shared
/// with the calls waiting for it, never stored) or <see cref="Abandon"/> (an end without a result to keep). Later ends
/// do nothing.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class IdempotentCall<T>
{
    private readonly IdempotencyState? _state;
    private readonly string? _key;
    private readonly IdempotentExecution? _run;
    private readonly JsonSerializerOptions? _json;

    // The store that gave the claim: the result and the release go to it, even if the registry's is replaced meanwhile.
    private readonly IIdempotencyStore? _store;
    private int _ended;

    internal IdempotentCall(IdempotencyState state, string key, IdempotentExecution run, JsonSerializerOptions json, IIdempotencyStore store)
    {
        _state = state;
        _key = key;
        _run = run;
        _json = json;
        _store = store;
    }

    private IdempotentCall(T result)
    {
        IsAnswered = true;
        Result = result;
        _ended = 1;
    }

    /// <summary>True when the call is answered (<see cref="Result"/>) and must not run.</summary>
    public bool IsAnswered { get; }

    /// <summary>The answer, when <see cref="IsAnswered"/>; default otherwise.</summary>
    public T Result { get; } = default!;

    /// <summary>
    /// Stores <paramref name="result"/> for the key and answers the calls waiting for it. When the result cannot be
    /// written, or the store fails, the result is still the caller's (the work is done): nothing is stored, the waiting
    /// calls try again, and the outcome is counted as <see cref="IdempotencyOutcome.NotStored"/>.
    /// </summary>
    /// <param name="result">The successful result.</param>
    /// <returns>A task that completes when the result is stored.</returns>
    public async ValueTask CompleteAsync(T result)
    {
        if (!TryEnd())
        {
            return;
        }

        byte[] bytes;
        try
        {
            bytes = ResultSerializer.Serialize(result, _json!, _state!.Name);
            await _store!.SaveAsync(_state.Name, _key!, bytes, _state.TimeToLive, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _state!.Release(_store!, _key!);
            _state.End(_key!, _run!, result: null);
            _state.Record(IdempotencyOutcome.NotStored, e);
            return;
        }

        _state.End(_key!, _run!, bytes);
    }

    /// <summary>What <see cref="CompleteAsync"/> does, for synchronous methods: it blocks while the store writes.</summary>
    /// <param name="result">The successful result.</param>
    public void Complete(T result)
    {
        ValueTask pending = CompleteAsync(result);
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Ends the run with <paramref name="error"/>: nothing is stored, and the calls waiting for it get the same failure;
    /// or, when it is the caller's own cancellation (<paramref name="cancellationToken"/> is cancelled), they try again.
    /// Returns false, for an exception filter: the failure goes on as it was.
    /// </summary>
    /// <param name="error">The failure.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>False.</returns>
    public bool Fail(Exception error, CancellationToken cancellationToken)
    {
        if (TryEnd())
        {
            _state!.Release(_store!, _key!);
            if (error is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                _state.End(_key!, _run!, result: null);
            }
            else
            {
                _state.End(_key!, _run!, error);
            }
        }

        return false;
    }

    /// <summary>Ends the run without a result to keep (a result handled as a failure, a rejection answered by a fallback): the waiting calls try again.</summary>
    public void Abandon()
    {
        if (TryEnd())
        {
            _state!.Release(_store!, _key!);
            _state.End(_key!, _run!, result: null);
        }
    }

    /// <summary>An answered call.</summary>
    internal static IdempotentCall<T> Answered(T result) => new(result);

    private bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;
}
