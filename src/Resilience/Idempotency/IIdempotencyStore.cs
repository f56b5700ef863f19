using System;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// Where the results of idempotency keys are kept (<see cref="IdempotencyKeyAttribute"/>), and where the calls of
/// several processes agree on which of them runs a key: <see cref="InMemoryIdempotencyStore"/> by default, Redis with
/// the Redis package. Set it with <see cref="ResilienceRegistry.IdempotencyStore"/>.
/// </summary>
/// <remarks>
/// <para>
/// Every key is given with the policy it belongs to (a method's policy name), so that two methods never share a
/// key. Results are System.Text.Json bytes (see <see cref="ResultSerializer"/>); the store never reads them.
/// </para>
/// <para>
/// Calls of one process that share a key are joined before they reach the store: the store sees one claim per key
/// and process at a time. Implementations must be thread-safe. One that cannot reach its backing service should
/// answer as a local store would rather than throw: what it throws reaches the caller.
/// </para>
/// </remarks>
public interface IIdempotencyStore
{
    /// <summary>
    /// Returns the stored result of <paramref name="key"/>, or claims the key for this caller (who then runs the
    /// call and ends with <see cref="SaveAsync"/> or <see cref="ReleaseAsync"/>), or says that another caller holds
    /// the claim now.
    /// </summary>
    /// <param name="policy">The policy the key belongs to.</param>
    /// <param name="key">The key; never null or empty.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>What the store holds for the key.</returns>
    ValueTask<IdempotencyClaim> TryClaimAsync(string policy, string key, CancellationToken cancellationToken);

    /// <summary>Stores the result of a claimed key for <paramref name="timeToLive"/> and lets go of the claim.</summary>
    /// <param name="policy">The policy the key belongs to.</param>
    /// <param name="key">The key.</param>
    /// <param name="result">The result as UTF-8 JSON.</param>
    /// <param name="timeToLive">How long the result answers the key.</param>
    /// <param name="cancellationToken">A token; generated code passes none, as the result must be kept once it exists.</param>
    /// <returns>A task that completes when the result is stored.</returns>
    ValueTask SaveAsync(string policy, string key, byte[] result, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Lets go of the claim of a key whose call failed, so that the next call with the key runs it.</summary>
    /// <param name="policy">The policy the key belongs to.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token; generated code passes none.</param>
    /// <returns>A task that completes when the claim is gone.</returns>
    ValueTask ReleaseAsync(string policy, string key, CancellationToken cancellationToken);
}

/// <summary>What an <see cref="IIdempotencyStore"/> holds for a key when a call asks for it.</summary>
public enum IdempotencyClaimStatus
{
    /// <summary>Nothing: the key is now claimed by the caller, who runs the call.</summary>
    Claimed,

    /// <summary>A stored result, which answers the call.</summary>
    Stored,

    /// <summary>Another caller (another process) holds the claim and is running the call now.</summary>
    InProgress,
}

/// <summary>The answer of <see cref="IIdempotencyStore.TryClaimAsync"/>.</summary>
public readonly struct IdempotencyClaim
{
    private IdempotencyClaim(IdempotencyClaimStatus status, byte[]? result)
    {
        Status = status;
        Result = result;
    }

    /// <summary>The key is now claimed by the caller.</summary>
    public static IdempotencyClaim Claimed => new(IdempotencyClaimStatus.Claimed, null);

    /// <summary>Another caller holds the claim.</summary>
    public static IdempotencyClaim InProgress => new(IdempotencyClaimStatus.InProgress, null);

    /// <summary>What the store holds for the key.</summary>
    public IdempotencyClaimStatus Status { get; }

    /// <summary>The stored result as UTF-8 JSON when <see cref="Status"/> is <see cref="IdempotencyClaimStatus.Stored"/>; null otherwise.</summary>
    public byte[]? Result { get; }

    /// <summary>A stored result.</summary>
    /// <param name="result">The result as UTF-8 JSON.</param>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is null.</exception>
    public static IdempotencyClaim Stored(byte[] result) => new(IdempotencyClaimStatus.Stored, result ?? throw new ArgumentNullException(nameof(result)));
}
