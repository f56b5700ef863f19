using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// Where a long job keeps its progress, so that a job that fails at minute 9 starts again from its last checkpoint, not
/// from zero: <see cref="SaveAsync{T}"/> as it goes, <see cref="GetLatestAsync{T}"/> when it starts,
/// <see cref="DeleteAsync"/> when it is done.
/// </summary>
/// <remarks>
/// <para>
/// A store keeps the newest <see cref="CheckpointOptions.MaxKeptPerJob"/> checkpoints of each job (10 by default) and
/// forgets a job's checkpoints <see cref="CheckpointOptions.TimeToLive"/> after its latest save (24 h by default). A save
/// less than <see cref="CheckpointOptions.MinSaveInterval"/> after the job's previous one (30 s by default) is skipped
/// unless it is forced. The data is written with System.Text.Json under
/// <see cref="ResilienceRegistry.JsonSerializerOptions"/> (or <see cref="CheckpointOptions.JsonSerializerOptions"/>).
/// </para>
/// <para>
/// Implementations: <see cref="InMemoryCheckpointStore"/> (one process), and <c>RedisCheckpointStore</c> in the package
/// Resilience.Generators.Redis (survives the process, shared by a fleet). Every member is thread-safe and honours its
/// cancellation token.
/// </para>
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>
    /// Saves a checkpoint of <paramref name="jobId"/>, unless the job's previous save is less than
    /// <see cref="CheckpointOptions.MinSaveInterval"/> old and <paramref name="force"/> is false.
    /// </summary>
    /// <typeparam name="T">The data's type; System.Text.Json must be able to write it and read it back.</typeparam>
    /// <param name="jobId">The job's id: not null, empty or white space.</param>
    /// <param name="stage">The stage the job is in: not null, empty or white space.</param>
    /// <param name="progress">How far the job is, from 0 to 1.</param>
    /// <param name="data">What the job needs to go on from here (null allowed).</param>
    /// <param name="force">True to save whatever the interval: at the end of a stage, or before a risky step.</param>
    /// <param name="cancellationToken">Cancels the save; then nothing is stored.</param>
    /// <returns>
    /// The checkpoint as stored, with its <see cref="Checkpoint{T}.Sequence"/>; null when the save was skipped because of
    /// the interval (the job's latest checkpoint is still the one before).
    /// </returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="jobId"/> or <paramref name="stage"/> is null.</exception>
    /// <exception cref="System.ArgumentException"><paramref name="jobId"/> or <paramref name="stage"/> is empty, or <paramref name="progress"/> is outside 0–1.</exception>
    /// <exception cref="ResultSerializationException">System.Text.Json cannot write <typeparamref name="T"/>; nothing is stored.</exception>
    /// <exception cref="CheckpointStoreUnavailableException">The store could not be reached; the checkpoint is not saved.</exception>
    Task<Checkpoint<T>?> SaveAsync<T>(string jobId, string stage, double progress, T data, bool force = false, CancellationToken cancellationToken = default);

    /// <summary>The newest checkpoint of <paramref name="jobId"/>, or null when it has none (never saved, deleted or expired).</summary>
    /// <typeparam name="T">The data's type, as it was saved.</typeparam>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The newest checkpoint, or null.</returns>
    /// <exception cref="ResultSerializationException">The stored data cannot be read as <typeparamref name="T"/>.</exception>
    /// <exception cref="CheckpointStoreUnavailableException">The store could not be reached.</exception>
    Task<Checkpoint<T>?> GetLatestAsync<T>(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Every kept checkpoint of <paramref name="jobId"/>, newest first; empty when it has none.</summary>
    /// <typeparam name="T">The data's type, as it was saved.</typeparam>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>At most <see cref="CheckpointOptions.MaxKeptPerJob"/> checkpoints, the highest sequence first.</returns>
    /// <exception cref="ResultSerializationException">The stored data cannot be read as <typeparamref name="T"/>.</exception>
    /// <exception cref="CheckpointStoreUnavailableException">The store could not be reached.</exception>
    Task<IReadOnlyList<Checkpoint<T>>> ListAsync<T>(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets every checkpoint of <paramref name="jobId"/> (its sequence too): call it when the job is done, so that a
    /// later job with the same id starts from zero.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns>True when the job had checkpoints.</returns>
    /// <exception cref="CheckpointStoreUnavailableException">The store could not be reached.</exception>
    Task<bool> DeleteAsync(string jobId, CancellationToken cancellationToken = default);
}
