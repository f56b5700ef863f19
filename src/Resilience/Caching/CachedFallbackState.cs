using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// The cache of one method with <see cref="CachedFallbackAttribute"/>: the last good result per arguments, which answers
/// a failure while it is younger than <see cref="CachedFallbackOptions.DurationMs"/>.
/// </summary>
/// <remarks>
/// Thread-safe. Obtain one from <see cref="ResilienceRegistry.CachedFallbacks"/> to read its counts or clear it; generated
/// code uses <see cref="CachedFallbackState{TKey, TResult}"/>.
/// </remarks>
public abstract class CachedFallbackState
{
    private protected readonly ResilienceRegistry _registry;
    private protected readonly CachedFallbackOptions _defaults;
    private protected readonly KeyValuePair<string, object?> _policyTag;
    private protected readonly KeyValuePair<string, object?> _methodTag;
    private CachedFallbackOptions _options;
    private long _hits;
    private long _misses;

    private protected CachedFallbackState(ResilienceRegistry registry, string name, string policyName, CachedFallbackOptions options, PolicySettings? settings)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        Guard.NotNullOrEmpty(policyName, nameof(policyName));
        _registry = registry;
        Name = name;
        PolicyName = policyName;
        _policyTag = ResilienceMetrics.Policy(policyName);
        _methodTag = new KeyValuePair<string, object?>(ResilienceMetrics.MethodTag, name);
        _defaults = (options ?? throw new ArgumentNullException(nameof(options))).ValidatedCopy();
        _options = EffectiveOptions(settings);
    }

    /// <summary>The method whose results it keeps, as <c>Namespace.Type.Method</c>.</summary>
    public string Name { get; }

    /// <summary>The name the method's calls are counted under, and its settings are configured under (see <see cref="MethodTelemetry.PolicyName"/>).</summary>
    public string PolicyName { get; }

    /// <summary>
    /// The settings in force: the attribute's, with any given to <see cref="ResilienceRegistry.Configure"/> under
    /// <see cref="PolicyName"/> laid over them (a copy; changing it has no effect).
    /// </summary>
    public CachedFallbackOptions Options => Volatile.Read(ref _options).Copy();

    /// <summary>Sets of arguments whose last good result is kept in this instance's memory now, expired ones included until they are swept.</summary>
    public abstract int Count { get; }

    /// <summary>Failures answered from the cache since it was created or the registry was reset.</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>Failures the cache had no result for (none kept, or too old) since it was created or the registry was reset.</summary>
    public long Misses => Volatile.Read(ref _misses);

    /// <summary>
    /// Why results are kept in this instance's memory only although a shared store is registered: the result type cannot
    /// be serialized with <see cref="ResilienceRegistry.JsonSerializerOptions"/>. Null while nothing went wrong.
    /// </summary>
    public ResultSerializationException? SharedStoreProblem { get; private protected set; }

    /// <summary>Forgets every result kept in this instance's memory (not those of a shared store, which expire on their own).</summary>
    public abstract void Clear();

    /// <summary>The settings in force, read once per operation.</summary>
    private protected CachedFallbackOptions Current => Volatile.Read(ref _options);

    /// <summary>Takes the settings given under its policy name, or the attribute's again when there are none.</summary>
    internal void Apply(PolicySettings? settings) => Volatile.Write(ref _options, EffectiveOptions(settings));

    /// <summary>Forgets its results and counts: the registry's reset.</summary>
    internal void Reset()
    {
        Clear();
        Volatile.Write(ref _hits, 0);
        Volatile.Write(ref _misses, 0);
        SharedStoreProblem = null;
    }

    /// <summary>Counts a failure answered from the cache, on the state, on the meter and for the listeners.</summary>
    private protected void RecordHit(Exception? failure, bool fromSharedStore)
    {
        Interlocked.Increment(ref _hits);
        if (ResilienceMetrics.CachedFallbackHits.Enabled)
        {
            ResilienceMetrics.CachedFallbackHits.Add(1, _policyTag, _methodTag);
        }

        if (_registry.HasListeners)
        {
            _registry.Notify(new CachedFallbackEventArgs(PolicyName, Name, failure, fromSharedStore));
        }
    }

    /// <summary>Counts a failure the cache could not answer.</summary>
    private protected void RecordMiss()
    {
        Interlocked.Increment(ref _misses);
        if (ResilienceMetrics.CachedFallbackMisses.Enabled)
        {
            ResilienceMetrics.CachedFallbackMisses.Add(1, _policyTag, _methodTag);
        }
    }

    /// <summary>Counts a result kept in memory only because the shared store could not take it.</summary>
    private protected void RecordKeptLocally()
    {
        ResilienceMetrics.RecordDistributedFallback(_policyTag, "cached_fallback");
    }

    /// <summary>The attribute's settings with <paramref name="settings"/> laid over them, checked; the attribute's alone when none are given.</summary>
    private CachedFallbackOptions EffectiveOptions(PolicySettings? settings)
        => settings is { HasCachedFallbackSettings: true } ? settings.ApplyTo(_defaults).ValidatedCopy() : _defaults;
}

/// <summary>
/// The cache of one method with <see cref="CachedFallbackAttribute"/>, by its key type (the arguments as a value tuple)
/// and result type. Generated code keeps one in a static field: it stores each good result and asks for one when a call
/// fails. Not meant to be called by hand.
/// </summary>
/// <typeparam name="TKey">The arguments, as a value tuple.</typeparam>
/// <typeparam name="TResult">The method's result type.</typeparam>
/// <remarks>
/// Storing a result for arguments already kept allocates one small entry (32 bytes for a reference-type result) and takes
/// no lock; new arguments add a dictionary node too. With a shared store registered, each good result is also serialized
/// and written in the background, and a failure asks the store first, then this instance's memory.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CachedFallbackState<TKey, TResult> : CachedFallbackState
    where TKey : notnull
{
    private readonly ResultTable<TKey, TResult> _table = new();
    private readonly Func<TKey, string> _keyText;

    internal CachedFallbackState(ResilienceRegistry registry, string name, string policyName, CachedFallbackOptions options, Func<TKey, string> keyText, PolicySettings? settings)
        : base(registry, name, policyName, options, settings)
    {
        _keyText = keyText ?? throw new ArgumentNullException(nameof(keyText));
    }

    /// <inheritdoc/>
    public override int Count => _table.Count;

    /// <inheritdoc/>
    public override void Clear() => _table.Clear();

    /// <summary>Keeps <paramref name="result"/>, a good result, as the last one for <paramref name="key"/>.</summary>
    public void Store(TKey key, TResult result)
    {
        if (InScope() is { } scoped)
        {
            scoped.Store(key, result);
            return;
        }

        CachedFallbackOptions options = Current;
        long now = Clock.NowTicks(_registry.TimeProvider);
        _table.Set(key, result, now, options.MaxEntries, LiveFrom(now, options));
        if (_registry.CachedFallbackStore is { } store && SharedStoreProblem is null)
        {
            StoreShared(store, key, result, options);
        }
    }

    /// <summary>
    /// Answers <paramref name="failure"/> with the last good result for <paramref name="key"/> if it is younger than the
    /// duration: from the shared store when one is registered and has it, else from this instance's memory. Blocks at most
    /// the shared store's operation timeout.
    /// </summary>
    /// <param name="key">The call's arguments.</param>
    /// <param name="failure">The exception or rejection being answered; null for a result handled as a failure.</param>
    /// <param name="result">The result found.</param>
    /// <returns>True when a result was found.</returns>
    public bool TryAnswer(TKey key, Exception? failure, out TResult result)
    {
        if (InScope() is { } scoped)
        {
            return scoped.TryAnswer(key, failure, out result);
        }

        if (_registry.CachedFallbackStore is { } store && SharedStoreProblem is null)
        {
            ValueTask<byte[]?> pending = GetShared(store, key, CancellationToken.None);
            byte[]? value;
            try
            {
                value = pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                value = null;
            }

            if (value is not null && TryRead(value, out result))
            {
                RecordHit(failure, fromSharedStore: true);
                return true;
            }
        }

        return TryAnswerFromMemory(key, failure, out result);
    }

    /// <summary>
    /// Answers <paramref name="failure"/> as <see cref="TryAnswer"/> does, without blocking. The caller's cancellation
    /// during the look-up surfaces as an <see cref="OperationCanceledException"/>; nothing answers it.
    /// </summary>
    /// <param name="key">The call's arguments.</param>
    /// <param name="failure">The exception or rejection being answered; null for a result handled as a failure.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public ValueTask<CachedFallbackAnswer<TResult>> TryAnswerAsync(TKey key, Exception? failure, CancellationToken cancellationToken)
    {
        if (InScope() is { } scoped)
        {
            return scoped.TryAnswerAsync(key, failure, cancellationToken);
        }

        if (_registry.CachedFallbackStore is { } store && SharedStoreProblem is null)
        {
            return TryAnswerSharedAsync(store, key, failure, cancellationToken);
        }

        return new ValueTask<CachedFallbackAnswer<TResult>>(TryAnswerFromMemory(key, failure, out TResult result) ? new CachedFallbackAnswer<TResult>(result) : default);
    }

    private async ValueTask<CachedFallbackAnswer<TResult>> TryAnswerSharedAsync(ICachedFallbackStore store, TKey key, Exception? failure, CancellationToken cancellationToken)
    {
        byte[]? value;
        try
        {
            value = await GetShared(store, key, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception)
        {
            value = null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (value is not null && TryRead(value, out TResult shared))
        {
            RecordHit(failure, fromSharedStore: true);
            return new CachedFallbackAnswer<TResult>(shared);
        }

        return TryAnswerFromMemory(key, failure, out TResult result) ? new CachedFallbackAnswer<TResult>(result) : default;
    }

    private bool TryAnswerFromMemory(TKey key, Exception? failure, out TResult result)
    {
        long now = Clock.NowTicks(_registry.TimeProvider);
        if (_table.TryGet(key, LiveFrom(now, Current), out result))
        {
            RecordHit(failure, fromSharedStore: false);
            return true;
        }

        RecordMiss();
        return false;
    }

    private ValueTask<byte[]?> GetShared(ICachedFallbackStore store, TKey key, CancellationToken cancellationToken)
    {
        try
        {
            return store.GetAsync(Name, _keyText(key), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ValueTask<byte[]?>((byte[]?)null);
        }
    }

    private void StoreShared(ICachedFallbackStore store, TKey key, TResult result, CachedFallbackOptions options)
    {
        byte[] value;
        try
        {
            value = ResultSerializer.Serialize(result, _registry.JsonSerializerOptions, Name);
        }
        catch (ResultSerializationException e)
        {
            // The caller's call succeeded: the result stays in memory, and the problem is counted and kept for the operator.
            SharedStoreProblem = e;
            RecordKeptLocally();
            return;
        }

        try
        {
            store.Set(Name, _keyText(key), value, TimeSpan.FromMilliseconds(options.DurationMs));
        }
        catch (Exception)
        {
            // A store must not throw from Set; one that does loses this result, never the caller's call.
            RecordKeptLocally();
        }
    }

    /// <summary>Reads a value of the shared store; one written by another version of the type is a miss.</summary>
    private bool TryRead(byte[] value, out TResult result)
    {
        try
        {
            result = ResultSerializer.Deserialize<TResult>(value, _registry.JsonSerializerOptions, Name);
            return true;
        }
        catch (ResultSerializationException)
        {
            result = default!;
            return false;
        }
    }

    /// <summary>The first tick of the results still young enough to answer: those stored less than the duration ago.</summary>
    private static long LiveFrom(long now, CachedFallbackOptions options) => now - (options.DurationMs * TimeSpan.TicksPerMillisecond) + 1;

    /// <summary>
    /// The cache of the same method in the <see cref="ResilienceScope"/> this call runs in, when this is a cache of
    /// <see cref="ResilienceRegistry.Default"/>; null otherwise, and at the cost of one static read until a scope is first begun.
    /// </summary>
    private CachedFallbackState<TKey, TResult>? InScope() => ResilienceScope.AnyBegun ? InScopeSlow() : null;

    private CachedFallbackState<TKey, TResult>? InScopeSlow()
        => ResilienceScope.RegistryInsteadOf(_registry) is { } scoped ? scoped.GetOrAddCachedFallback<TKey, TResult>(Name, PolicyName, _defaults, _keyText) : null;
}
