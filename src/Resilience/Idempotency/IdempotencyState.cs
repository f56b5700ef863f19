using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// The idempotency keys of one method (<see cref="IdempotencyKeyAttribute"/>), under its policy name: the first
/// successful result for a key is stored in the registry's <see cref="ResilienceRegistry.IdempotencyStore"/> and
/// answers every later call with the key; calls with one key that overlap share one run. Generated code keeps it in a
/// static field and calls <see cref="BeginAsync{T}"/> (or <see cref="Begin{T}"/>) once a call.
/// </summary>
/// <remarks>
/// <para>
/// Calls of this process with one key are joined here, before the store: the first one runs, the others wait for its
/// end. A waiter whose own token is cancelled stops waiting (with an <see cref="OperationCanceledException"/>) and the
/// run goes on for the others. When the run succeeds its result answers them all (each gets its own copy, read back
/// from the stored JSON); when it fails, they get the same failure and nothing is stored; when it was cancelled by its
/// own caller's token, or its result was not kept (a result handled as a failure), they try again, and one of them runs.
/// </para>
/// <para>
/// Across processes the store decides: a key claimed by another process is polled (every 25 ms at first, up to every
/// 500 ms) until its result is stored, or its claim is released or expires, when this call runs it. Thread-safe.
/// </para>
/// </remarks>
public sealed class IdempotencyState
{
    private static readonly TimeSpan s_firstPoll = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan s_longestPoll = TimeSpan.FromMilliseconds(500);

    private readonly ResilienceRegistry _registry;
    private readonly IdempotencyOptions _defaults;
    private readonly ConcurrentDictionary<string, IdempotentExecution> _running = new(StringComparer.Ordinal);
    private readonly KeyValuePair<string, object?> _policyTag;
    private IdempotencyOptions _options;

    internal IdempotencyState(ResilienceRegistry registry, string name, IdempotencyOptions options, PolicySettings? settings)
    {
        _registry = registry;
        Name = name;
        _defaults = (options ?? throw new ArgumentNullException(nameof(options))).ValidatedCopy();
        _options = settings?.ApplyTo(_defaults) ?? _defaults;
        _policyTag = new(ResilienceMetrics.PolicyTag, name);
    }

    /// <summary>The policy name the keys are kept under: the method's, <c>Namespace.Type.Method</c>.</summary>
    public string Name { get; }

    /// <summary>How long a key's result is kept: the attribute's <c>TtlMs</c>, or configuration's.</summary>
    public TimeSpan TimeToLive => TimeSpan.FromMilliseconds(Volatile.Read(ref _options).TtlMs);

    /// <summary>The settings the state was created with, before configuration.</summary>
    internal IdempotencyOptions AttributeOptions => _defaults.Copy();

    /// <summary>
    /// Starts a call with <paramref name="key"/>: answered at once by a stored result or by the run of another call
    /// with the key (<see cref="IdempotentCall{T}.IsAnswered"/>), or to be run by the caller, who ends it with
    /// <see cref="IdempotentCall{T}.CompleteAsync"/>, <see cref="IdempotentCall{T}.Fail"/> or <see cref="IdempotentCall{T}.Abandon"/>.
    /// </summary>
    /// <typeparam name="T">The result type (<c>bool</c> for a method without a result).</typeparam>
    /// <param name="key">The key; see <see cref="IdempotencyKeys"/>.</param>
    /// <param name="cancellationToken">The caller's token: it stops this call's wait, never another call's run.</param>
    /// <returns>The call.</returns>
    /// <exception cref="ArgumentException">The key is null or empty.</exception>
    /// <exception cref="ResultSerializationException"><typeparamref name="T"/> cannot be serialized with <see cref="ResilienceRegistry.JsonSerializerOptions"/>.</exception>
    /// <exception cref="OperationCanceledException">The caller's token was cancelled while the call waited.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<IdempotentCall<T>> BeginAsync<T>(string key, CancellationToken cancellationToken)
    {
        if (InScope() is { } scoped)
        {
            return scoped.BeginAsync<T>(key, cancellationToken);
        }

        IdempotencyKeys.Require(key, nameof(key));
        return BeginCoreAsync<T>(key, cancellationToken);
    }

    /// <summary>What <see cref="BeginAsync{T}"/> does, for synchronous methods: it blocks while it waits.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The call.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IdempotentCall<T> Begin<T>(string key, CancellationToken cancellationToken)
    {
        ValueTask<IdempotentCall<T>> pending = BeginAsync<T>(key, cancellationToken);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Forgets the runs under way here (their callers still end them): for <see cref="ResilienceRegistry.Reset"/>.</summary>
    internal void Reset() => _running.Clear();

    /// <summary>Takes the settings configuration gives this name, or the attribute's when it gives none.</summary>
    internal void Apply(PolicySettings? settings) => Volatile.Write(ref _options, settings?.ApplyTo(_defaults) ?? _defaults);

    /// <summary>Ends the run of <paramref name="key"/> here: later calls ask the store, waiting ones get <paramref name="result"/> (null: try again).</summary>
    internal void End(string key, IdempotentExecution run, byte[]? result)
    {
        ((ICollection<KeyValuePair<string, IdempotentExecution>>)_running).Remove(new(key, run));
        run.End(result);
    }

    /// <summary>Ends the run of <paramref name="key"/> here with a failure the waiting calls share.</summary>
    internal void End(string key, IdempotentExecution run, Exception failure)
    {
        ((ICollection<KeyValuePair<string, IdempotentExecution>>)_running).Remove(new(key, run));
        run.End(failure);
    }

    internal IIdempotencyStore Store => _registry.IdempotencyStore;

    internal JsonSerializerOptions Json => _registry.JsonSerializerOptions;

    /// <summary>
    /// Lets go of <paramref name="store"/>'s claim on <paramref name="key"/> (the store that gave the claim, even if the
    /// registry's has been replaced since) without making the caller wait; what the store throws is dropped (the claim
    /// then expires).
    /// </summary>
    internal void Release(IIdempotencyStore store, string key)
    {
        ValueTask releasing;
        try
        {
            releasing = store.ReleaseAsync(Name, key, CancellationToken.None);
        }
        catch (Exception)
        {
            return;
        }

        if (!releasing.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(releasing);
        }

        static async Task ObserveAsync(ValueTask pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The claim expires by itself; the call that failed is what the caller hears about.
            }
        }
    }

    /// <summary>Counts <paramref name="outcome"/> and tells the listeners.</summary>
    internal void Record(IdempotencyOutcome outcome, Exception? exception = null)
    {
        if (ResilienceMetrics.IdempotencyRequests.Enabled)
        {
            ResilienceMetrics.IdempotencyRequests.Add(1, _policyTag, new KeyValuePair<string, object?>(ResilienceMetrics.IdempotencyOutcomeTag, ResilienceMetrics.IdempotencyOutcomeName(outcome)));
        }

        if (_registry.HasListeners)
        {
            _registry.Notify(new IdempotencyEventArgs(Name, outcome, exception));
        }
    }

    private async ValueTask<IdempotentCall<T>> BeginCoreAsync<T>(string key, CancellationToken cancellationToken)
    {
        JsonSerializerOptions json = Json;

        // Refused before anything runs: a result that could not be stored would be run again by every repeat.
        ResultSerializer.EnsureSerializable<T>(json, Name);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mine = new IdempotentExecution();
            IdempotentExecution running = _running.GetOrAdd(key, mine);
            if (!ReferenceEquals(running, mine))
            {
                if (await running.WaitAsync(cancellationToken).ConfigureAwait(false) is { } shared)
                {
                    Record(IdempotencyOutcome.Shared);
                    return IdempotentCall<T>.Answered(ResultSerializer.Deserialize<T>(shared, json, Name));
                }

                continue;
            }

            IdempotencyClaim claim;
            bool waited;
            IIdempotencyStore store;
            try
            {
                (claim, waited, store) = await ClaimAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The calls waiting here try again: one of them asks the store in turn.
                End(key, mine, result: null);
                throw;
            }

            if (claim.Status == IdempotencyClaimStatus.Stored)
            {
                End(key, mine, claim.Result);
                Record(waited ? IdempotencyOutcome.Shared : IdempotencyOutcome.Hit);
                return IdempotentCall<T>.Answered(ResultSerializer.Deserialize<T>(claim.Result, json, Name));
            }

            Record(IdempotencyOutcome.Miss);
            return new IdempotentCall<T>(this, key, mine, json, store);
        }
    }

    /// <summary>
    /// Asks the store until it answers with a result or a claim; says whether another process's run was waited for, and
    /// which store answered (the claim's end goes to it).
    /// </summary>
    private async ValueTask<(IdempotencyClaim Claim, bool Waited, IIdempotencyStore Store)> ClaimAsync(string key, CancellationToken cancellationToken)
    {
        TimeSpan poll = s_firstPoll;
        bool waited = false;
        while (true)
        {
            IIdempotencyStore store = Store;
            IdempotencyClaim claim = await store.TryClaimAsync(Name, key, cancellationToken).ConfigureAwait(false);
            if (claim.Status != IdempotencyClaimStatus.InProgress)
            {
                return (claim, waited, store);
            }

            // Another process runs the key, on the store's clock: real time, which no test clock drives.
            waited = true;
            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, s_longestPoll.Ticks));
        }
    }

    /// <summary>
    /// The state of the same name in the <see cref="ResilienceScope"/> this call runs in, when this is a state of
    /// <see cref="ResilienceRegistry.Default"/>; null otherwise.
    /// </summary>
    private IdempotencyState? InScope()
        => ResilienceScope.AnyBegun && ResilienceScope.RegistryInsteadOf(_registry) is { } scoped ? scoped.GetOrAddIdempotency(Name, _defaults) : null;
}
