using System;

namespace Resilience;

/// <summary>
/// One saved point of a resumable job: where it was (<see cref="Stage"/>, <see cref="Progress"/>), what it needs to go on
/// from there (<see cref="Data"/>), when it was saved and its place in the job's order (<see cref="Sequence"/>).
/// Read back with <see cref="ICheckpointStore.GetLatestAsync{T}"/> or <see cref="ICheckpointStore.ListAsync{T}"/>.
/// </summary>
/// <typeparam name="T">The job's data, written and read with System.Text.Json.</typeparam>
/// <remarks>
/// Immutable. A checkpoint read from a store holds System.Text.Json's copy of the data, never the object that was saved, so
/// a job that goes on changing its objects after a save does not change the checkpoint.
/// </remarks>
public sealed class Checkpoint<T>
{
    /// <summary>Creates a checkpoint; stores create them, a caller needs this only for a store of its own or a test.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="stage">The stage the job was in.</param>
    /// <param name="progress">How far the job was, from 0 to 1.</param>
    /// <param name="data">The job's data.</param>
    /// <param name="savedAt">When the checkpoint was saved.</param>
    /// <param name="sequence">The checkpoint's number within its job: 1 for the first, one more for each save.</param>
    public Checkpoint(string jobId, string stage, double progress, T data, DateTimeOffset savedAt, long sequence)
    {
        JobId = jobId ?? throw new ArgumentNullException(nameof(jobId));
        Stage = stage ?? throw new ArgumentNullException(nameof(stage));
        Progress = progress;
        Data = data;
        SavedAt = savedAt;
        Sequence = sequence;
    }

    /// <summary>The job's id, as given to <see cref="ICheckpointStore.SaveAsync{T}"/>.</summary>
    public string JobId { get; }

    /// <summary>The stage the job was in: <c>transcribe</c>.</summary>
    public string Stage { get; }

    /// <summary>How far the job was: 0 at its start, 1 when it is done.</summary>
    public double Progress { get; }

    /// <summary>What the job needs to go on from this point; read from a store, System.Text.Json's copy of what was saved.</summary>
    public T Data { get; }

    /// <summary>When the checkpoint was saved, on the saving store's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset SavedAt { get; }

    /// <summary>
    /// The checkpoint's number within its job: 1 for the job's first save, one more for each save after it, with no gap
    /// and no repeat even when saves race. The newest checkpoint has the highest. It starts again at 1 once the job's
    /// checkpoints are deleted or have expired.
    /// </summary>
    public long Sequence { get; }

    /// <inheritdoc/>
    public override string ToString() => $"Checkpoint #{Sequence} of job '{JobId}': {Stage}, {Progress:P0}, saved {SavedAt:O}";
}
