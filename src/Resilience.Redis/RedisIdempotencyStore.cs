using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>
/// The <see cref="IIdempotencyStore"/> of a fleet: a key's result is kept in Redis, so that a repeat that lands on any
/// instance is answered; instances racing one key agree through a claim (<c>SET NX PX</c>) on which of them runs it, and
/// the others wait for its result, or for the claim to be released. The instance running a key renews its claim while it
/// runs, every third of <see cref="RedisResilienceOptions.IdempotencyClaimTimeout"/>, so a call may take as long as it
/// needs; a claim expires only when its instance stops renewing it (it stopped, or lost Redis for that long), and then
/// another instance runs the key. <see cref="RedisResilienceRegistryExtensions.UseRedis"/> puts one in
/// <see cref="ResilienceRegistry.IdempotencyStore"/>.
/// </summary>
/// <remarks>
/// Redis unreachable, slow or failing: no exception of Redis' reaches a caller and no call waits longer than
/// <see cref="RedisResilienceOptions.OperationTimeout"/> for it; the keys are then kept in this instance's local store (as
/// without Redis) until Redis answers again, and a result stored locally meanwhile still answers repeats here; each such
/// key is counted on <c>resilience.distributed.fallbacks</c> (kind <c>idempotency</c>). Shares its availability with the
/// <see cref="RedisResilienceStore"/> it was made from. Thread-safe.
/// </remarks>
public sealed class RedisIdempotencyStore : IIdempotencyStore
{
    // {1, result} when a result is stored, {0} when the claim was taken, {2} when another instance holds it.
    private const string ClaimScript = """
        local stored = redis.call('GET', KEYS[1])
        if stored then return {1, stored} end
        if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
        return {2}
        """;

    // The first result stays (NX): an instance whose claim expired under it must not replace what a repeat was answered with.
    private const string SaveScript = """
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
        if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
        return 1
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    // KEYS[1] the claim, KEYS[2] the result. 1 when the claim was still this token's and now lasts ARGV[2] ms more; 2 when
    // it had expired and nobody had claimed or run the key since, so it is this token's again; 0 when another instance
    // holds it; 3 when another instance ran the key and stored its result meanwhile.
    private const string RenewScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder == ARGV[1] then
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1
        end
        if holder then return 0 end
        if redis.call('GET', KEYS[2]) then return 3 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 2
        """;

    // The token kept for a claim another instance took over: never one of Redis' claims, so nothing renews or deletes it.
    private const string Lost = "";

    private readonly RedisResilienceStore _redis;
    private readonly InMemoryIdempotencyStore _local;

    // The token of each claim this instance holds in Redis; a key claimed while Redis was away is the local store's.
    private readonly ConcurrentDictionary<(string Policy, string Key), string> _claims = new();

    // Renews the claims in _claims, one round at a time; stopped (and so not rooting this store) while there are none.
    private readonly Timer _renewal;

    // 1 while a round of renewals is scheduled or running.
    private int _renewing;

    private long _renewals;
    private long _lostClaims;

    /// <summary>A store on <paramref name="redis"/>'s connection, key prefix and timeouts.</summary>
    /// <param name="redis">The distributed store whose connection and settings are used.</param>
    /// <param name="local">Where keys are kept while Redis cannot be reached; null for a new <see cref="InMemoryIdempotencyStore"/> on <see cref="ResilienceRegistry.Default"/>'s clock.</param>
    /// <exception cref="ArgumentNullException"><paramref name="redis"/> is null.</exception>
    public RedisIdempotencyStore(RedisResilienceStore redis, InMemoryIdempotencyStore? local = null)
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _local = local ?? new InMemoryIdempotencyStore();
        // Not flowing the creator's execution context: renewals belong to no request (its Activity, its AsyncLocals).
        using (ExecutionContext.SuppressFlow())
        {
            _renewal = new Timer(static state => _ = ((RedisIdempotencyStore)state!).RenewAsync(), this, Timeout.Infinite, Timeout.Infinite);
        }
    }

    /// <summary>True while Redis answers; false while keys are kept locally.</summary>
    public bool IsAvailable => _redis.IsAvailable;

    /// <summary>How many times this instance extended (or took again) one of its claims in Redis while running the key.</summary>
    public long RenewalCount => Volatile.Read(ref _renewals);

    /// <summary>
    /// How many claims this instance found taken by another instance, or whose key another instance had run and stored
    /// a result for, when it came to renew them while still running their key: each is a key that ran, or may have run,
    /// twice (one that another instance ran and failed, so that nothing was stored, is not seen). The usual cause is this instance losing Redis, or stalling, for longer than
    /// <see cref="RedisResilienceOptions.IdempotencyClaimTimeout"/>. Also counted on <c>resilience.idempotency.lost_claims</c>
    /// (<see cref="IdempotencyStoreTelemetry.RecordClaimLost"/>). A claim found expired with no result stored is taken
    /// again, and counted as renewed.
    /// </summary>
    public long LostClaimCount => Volatile.Read(ref _lostClaims);

    /// <inheritdoc />
    public async ValueTask<IdempotencyClaim> TryClaimAsync(string policy, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // A result stored here while Redis was away still answers: running the key again would do the work twice.
        if (_local.TryGet(policy, key, out byte[]? kept))
        {
            return IdempotencyClaim.Stored(kept);
        }

        if (_redis.IsAvailable)
        {
            string identity = RedisKeys.Identity(policy, key);
            string token = Guid.NewGuid().ToString("N");
            RedisResult? answer = await EvaluateAsync(
                ClaimScript,
                new RedisKey[] { _redis.Keys.IdempotencyResult(identity), _redis.Keys.IdempotencyClaim(identity) },
                new RedisValue[] { token, Milliseconds(_redis.Settings.IdempotencyClaimTimeout) },
                cancellationToken).ConfigureAwait(false);
            if (answer is { Resp2Type: ResultType.Array, Length: >= 1 })
            {
                switch ((long)answer[0])
                {
                    case 1 when answer.Length >= 2 && (byte[]?)answer[1] is { } stored:
                        return IdempotencyClaim.Stored(stored);
                    case 0:
                        _claims[(policy, key)] = token;
                        StartRenewing();
                        return IdempotencyClaim.Claimed;
                    case 2:
                        return IdempotencyClaim.InProgress;
                }
            }

            _redis.MarkUnavailable();
        }

        IdempotencyStoreTelemetry.RecordDecidedLocally(policy);
        return await _local.TryClaimAsync(policy, key, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(string policy, string key, byte[] result, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        if (result is null)
        {
            throw new ArgumentNullException(nameof(result));
        }

        if (_claims.TryRemove((policy, key), out string? token))
        {
            if (_redis.IsAvailable)
            {
                string identity = RedisKeys.Identity(policy, key);
                RedisResult? answer = await EvaluateAsync(
                    SaveScript,
                    new RedisKey[] { _redis.Keys.IdempotencyResult(identity), _redis.Keys.IdempotencyClaim(identity) },
                    new RedisValue[] { result, Milliseconds(timeToLive), token },
                    cancellationToken).ConfigureAwait(false);
                if (answer is not null)
                {
                    return;
                }

                _redis.MarkUnavailable();
            }

            // Claimed in Redis, kept here only.
            IdempotencyStoreTelemetry.RecordDecidedLocally(policy);
        }

        // Kept here: a repeat on this instance is answered, one on another may run again (the claim expires there).
        await _local.SaveAsync(policy, key, result, timeToLive, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(string policy, string key, CancellationToken cancellationToken)
    {
        if (!_claims.TryRemove((policy, key), out string? token))
        {
            await _local.ReleaseAsync(policy, key, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_redis.IsAvailable)
        {
            RedisKey claim = _redis.Keys.IdempotencyClaim(RedisKeys.Identity(policy, key));
            if (await EvaluateAsync(ReleaseScript, new[] { claim }, new RedisValue[] { token }, cancellationToken).ConfigureAwait(false) is null)
            {
                // The claim expires by itself.
                _redis.MarkUnavailable();
            }
        }
    }

    /// <summary>Schedules the next round of renewals unless one is scheduled or running.</summary>
    private void StartRenewing()
    {
        if (Interlocked.CompareExchange(ref _renewing, 1, 0) == 0)
        {
            _renewal.Change(RenewalInterval(), Timeout.InfiniteTimeSpan);
        }
    }

    // A third of the claim's timeout, from 1 ms to 30 days (a timer waits at most about 49 days).
    private TimeSpan RenewalInterval()
        => TimeSpan.FromTicks(Math.Min(Math.Max(TimeSpan.TicksPerMillisecond, _redis.Settings.IdempotencyClaimTimeout.Ticks / 3), TimeSpan.FromDays(30).Ticks));

    /// <summary>Extends every claim this instance holds, then schedules the next round while any is left.</summary>
    private async Task RenewAsync()
    {
        try
        {
            if (!_redis.Connection.IsConnected)
            {
                // Asked again in the next round; the claims last a timeout from their last renewal meanwhile. (Renewed even
                // while other operations back off after a failure: a claim let lapse lets another instance run the key.)
                return;
            }

            // All at once, so that a round costs one round trip however many keys this instance runs.
            RedisValue duration = Milliseconds(_redis.Settings.IdempotencyClaimTimeout);
            var renewals = new List<(KeyValuePair<(string Policy, string Key), string> Claim, RedisKey ClaimKey, Task<RedisResult?> Answer)>();
            foreach (KeyValuePair<(string Policy, string Key), string> claim in _claims)
            {
                if (claim.Value.Length != 0)
                {
                    string identity = RedisKeys.Identity(claim.Key.Policy, claim.Key.Key);
                    RedisKey[] keys = { _redis.Keys.IdempotencyClaim(identity), _redis.Keys.IdempotencyResult(identity) };
                    renewals.Add((claim, keys[0], EvaluateAsync(RenewScript, keys, new RedisValue[] { claim.Value, duration }, CancellationToken.None)));
                }
            }

            foreach ((KeyValuePair<(string Policy, string Key), string> claim, RedisKey claimKey, Task<RedisResult?> pending) in renewals)
            {
                RedisResult? answer = await pending.ConfigureAwait(false);
                long outcome = answer is null ? -1 : (long)answer;
                if (outcome < 0)
                {
                    _redis.MarkUnavailable();
                }
                else if (outcome == 2 && !(_claims.TryGetValue(claim.Key, out string? token) && token == claim.Value))
                {
                    // Taken again just as this instance saved or released the key: not this instance's to hold.
                    await EvaluateAsync(ReleaseScript, new[] { claimKey }, new RedisValue[] { claim.Value }, CancellationToken.None).ConfigureAwait(false);
                }
                else if (outcome is 1 or 2)
                {
                    Interlocked.Increment(ref _renewals);
                }
                else if (_claims.TryUpdate(claim.Key, Lost, claim.Value))
                {
                    // Still running here, but another instance claimed the key meanwhile (0), or ran it already (3).
                    Interlocked.Increment(ref _lostClaims);
                    IdempotencyStoreTelemetry.RecordClaimLost(claim.Key.Policy);
                }
            }
        }
        catch (Exception)
        {
            // A renewal that failed in a way EvaluateAsync did not catch is retried in the next round.
        }
        finally
        {
            if (_redis.IsDisposed)
            {
                // Stopped for good (a round stays marked as running, so none starts again): the store is disposed.
            }
            else if (!_claims.IsEmpty)
            {
                _renewal.Change(RenewalInterval(), Timeout.InfiniteTimeSpan);
            }
            else
            {
                // Stopped; a claim taken since the check above starts a round of its own.
                Volatile.Write(ref _renewing, 0);
                if (!_claims.IsEmpty)
                {
                    StartRenewing();
                }
            }
        }
    }

    private static long Milliseconds(TimeSpan duration) => Math.Max(1, (long)Math.Ceiling(duration.TotalMilliseconds));

    /// <summary>The script's answer; null when Redis failed or did not answer within the operation timeout.</summary>
    private async Task<RedisResult?> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        try
        {
            return await _redis.WithinTimeoutAsync(_redis.Connection.GetDatabase().ScriptEvaluateAsync(script, keys, values), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception)
        {
            return null;
        }
    }
}
