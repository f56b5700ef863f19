using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// What every <see cref="ICheckpointStore"/> of this product shares: the checks of the caller's arguments, the data's
/// System.Text.Json form, the options and the clock. A store derives from it and keeps <see cref="SerializedCheckpoint"/>s.
/// </summary>
/// <remarks>
/// Bad input (a null, empty or white-space job id or stage, a progress outside 0–1, a type System.Text.Json cannot write)
/// throws before the derived store is asked, so nothing is stored. Derived stores are thread-safe and keep the
/// sequence exact when saves of one job race. Saves and reads of the latest checkpoint are counted on the
/// <c>Resilience</c> meter (<c>resilience.checkpoint.saves</c> by stage and outcome, <c>resilience.checkpoint.reads</c>
/// by outcome).
/// </remarks>
public abstract class CheckpointStore : ICheckpointStore
{
    private readonly CheckpointOptions _options;

    /// <summary>Creates the store with a checked copy of <paramref name="options"/>.</summary>
    /// <param name="options">How many checkpoints, how long, how often; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is not valid; the message names it.</exception>
    protected CheckpointStore(CheckpointOptions? options)
    {
        _options = (options ?? new CheckpointOptions()).ValidatedCopy();
    }

    /// <summary>The settings in force (a copy).</summary>
    public CheckpointOptions Options => _options.ValidatedCopy();

    /// <summary>How many checkpoints are kept per job.</summary>
    protected int MaxKeptPerJob => _options.MaxKeptPerJob;

    /// <summary>How long a job's checkpoints are kept after its latest save.</summary>
    protected TimeSpan TimeToLive => _options.TimeToLive;

    /// <summary>The shortest time between two unforced saves of one job.</summary>
    protected TimeSpan MinSaveInterval => _options.MinSaveInterval;

    /// <summary>The clock: the options', else the default registry's (read at each call).</summary>
    protected TimeProvider Clock => _options.TimeProvider ?? ResilienceRegistry.Default.TimeProvider;

    private JsonSerializerOptions Json => _options.JsonSerializerOptions ?? ResilienceRegistry.Default.JsonSerializerOptions;

    /// <inheritdoc/>
    public async Task<Checkpoint<T>?> SaveAsync<T>(string jobId, string stage, double progress, T data, bool force = false, CancellationToken cancellationToken = default)
    {
        CheckJobId(jobId);
        if (stage is null)
        {
            throw new ArgumentNullException(nameof(stage), $"The stage of the checkpoint of job '{jobId}' is null; name the stage the job is in, e.g. \"transcribe\".");
        }

        if (string.IsNullOrWhiteSpace(stage))
        {
            throw new ArgumentException($"The stage of the checkpoint of job '{jobId}' is empty; name the stage the job is in, e.g. \"transcribe\".", nameof(stage));
        }

        if (!(progress >= 0 && progress <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(progress),
                progress,
                $"The progress of the checkpoint of job '{jobId}' at stage '{stage}' is {progress.ToString("R", CultureInfo.InvariantCulture)}; " +
                "it must be from 0 (not started) to 1 (done), e.g. itemsDone / (double)itemsTotal.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        byte[] json = ResultSerializer.Serialize(data, Json, Owner(jobId));
        var candidate = new SerializedCheckpoint(jobId, stage, progress, json, Clock.GetUtcNow(), sequence: 0);
        SerializedCheckpoint? stored;
        try
        {
            stored = await SaveCoreAsync(candidate, force, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            RecordSave(stage, "failed");
            throw;
        }

        RecordSave(stage, stored is null ? "skipped" : "saved");
        return stored is null ? null : new Checkpoint<T>(stored.JobId, stored.Stage, stored.Progress, data, stored.SavedAt, stored.Sequence);
    }

    /// <inheritdoc/>
    public async Task<Checkpoint<T>?> GetLatestAsync<T>(string jobId, CancellationToken cancellationToken = default)
    {
        CheckJobId(jobId);
        cancellationToken.ThrowIfCancellationRequested();
        Checkpoint<T>? checkpoint;
        try
        {
            SerializedCheckpoint? latest = await GetLatestCoreAsync(jobId, cancellationToken).ConfigureAwait(false);
            checkpoint = latest is null ? null : Read<T>(latest);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // The store failed, or its data is not a T: either way the job cannot resume from it.
            RecordRead("failed");
            throw;
        }

        RecordRead(checkpoint is null ? "none" : "found");
        return checkpoint;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Checkpoint<T>>> ListAsync<T>(string jobId, CancellationToken cancellationToken = default)
    {
        CheckJobId(jobId);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<SerializedCheckpoint> stored = await ListCoreAsync(jobId, cancellationToken).ConfigureAwait(false);
        var checkpoints = new Checkpoint<T>[stored.Count];
        for (int i = 0; i < checkpoints.Length; i++)
        {
            checkpoints[i] = Read<T>(stored[i]);
        }

        // Newest first whatever order the store answered in.
        Array.Sort(checkpoints, static (a, b) => b.Sequence.CompareTo(a.Sequence));
        return checkpoints;
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string jobId, CancellationToken cancellationToken = default)
    {
        CheckJobId(jobId);
        cancellationToken.ThrowIfCancellationRequested();
        return DeleteCoreAsync(jobId, cancellationToken);
    }

    /// <summary>
    /// Stores <paramref name="checkpoint"/> (whose sequence is 0) as the job's newest, with the next sequence, and drops
    /// the job's oldest beyond <see cref="MaxKeptPerJob"/>; or, when <paramref name="force"/> is false and the job's
    /// latest save is less than <see cref="MinSaveInterval"/> before <see cref="SerializedCheckpoint.SavedAt"/>, stores
    /// nothing. Atomic per job.
    /// </summary>
    /// <param name="checkpoint">The checkpoint, its arguments checked and its data serialized.</param>
    /// <param name="force">True to save whatever the interval.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>The stored checkpoint with its sequence; null when skipped.</returns>
    protected abstract Task<SerializedCheckpoint?> SaveCoreAsync(SerializedCheckpoint checkpoint, bool force, CancellationToken cancellationToken);

    /// <summary>The job's newest unexpired checkpoint, or null.</summary>
    /// <param name="jobId">The job's id, checked.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The newest checkpoint, or null.</returns>
    protected abstract Task<SerializedCheckpoint?> GetLatestCoreAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>The job's kept, unexpired checkpoints, in any order.</summary>
    /// <param name="jobId">The job's id, checked.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The checkpoints.</returns>
    protected abstract Task<IReadOnlyList<SerializedCheckpoint>> ListCoreAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Forgets the job's checkpoints and its sequence.</summary>
    /// <param name="jobId">The job's id, checked.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns>True when the job had checkpoints.</returns>
    protected abstract Task<bool> DeleteCoreAsync(string jobId, CancellationToken cancellationToken);

    private static void RecordSave(string stage, string outcome)
    {
        if (ResilienceMetrics.CheckpointSaves.Enabled)
        {
            ResilienceMetrics.CheckpointSaves.Add(
                1,
                new KeyValuePair<string, object?>(ResilienceMetrics.CheckpointStageTag, stage),
                new KeyValuePair<string, object?>(ResilienceMetrics.CheckpointOutcomeTag, outcome));
        }
    }

    private static void RecordRead(string outcome)
    {
        if (ResilienceMetrics.CheckpointReads.Enabled)
        {
            ResilienceMetrics.CheckpointReads.Add(1, new KeyValuePair<string, object?>(ResilienceMetrics.CheckpointOutcomeTag, outcome));
        }
    }

    /// <summary>The name a serialization failure gives as its owner.</summary>
    private static string Owner(string jobId) => "checkpoints of job \"" + jobId + "\"";

    private static void CheckJobId(string jobId)
    {
        if (jobId is null)
        {
            throw new ArgumentNullException(nameof(jobId), "The job id is null; give the id the job is known by and restarted with, e.g. \"transcription-42\".");
        }

        if (string.IsNullOrWhiteSpace(jobId))
        {
            throw new ArgumentException(
                "The job id is empty or white space; give the id the job is known by and restarted with, e.g. \"transcription-42\".", nameof(jobId));
        }
    }

    private Checkpoint<T> Read<T>(SerializedCheckpoint stored)
        => new(stored.JobId, stored.Stage, stored.Progress, ResultSerializer.Deserialize<T>(stored.Data.Span, Json, Owner(stored.JobId)), stored.SavedAt, stored.Sequence);
}
