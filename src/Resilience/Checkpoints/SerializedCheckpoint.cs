using System;

namespace Resilience;

/// <summary>
/// A checkpoint as a <see cref="CheckpointStore"/> keeps it: its data as UTF-8 JSON. Only a store of one's own needs it;
/// callers use <see cref="Checkpoint{T}"/>.
/// </summary>
public sealed class SerializedCheckpoint
{
    /// <summary>Creates the stored form of a checkpoint.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="stage">The stage the job was in.</param>
    /// <param name="progress">How far the job was, from 0 to 1.</param>
    /// <param name="data">The data as UTF-8 JSON.</param>
    /// <param name="savedAt">When it was saved.</param>
    /// <param name="sequence">Its number within the job; 0 before a store gave it one.</param>
    public SerializedCheckpoint(string jobId, string stage, double progress, ReadOnlyMemory<byte> data, DateTimeOffset savedAt, long sequence)
    {
        JobId = jobId ?? throw new ArgumentNullException(nameof(jobId));
        Stage = stage ?? throw new ArgumentNullException(nameof(stage));
        Progress = progress;
        Data = data;
        SavedAt = savedAt;
        Sequence = sequence;
    }

    /// <summary>The job's id.</summary>
    public string JobId { get; }

    /// <summary>The stage the job was in.</summary>
    public string Stage { get; }

    /// <summary>How far the job was, from 0 to 1.</summary>
    public double Progress { get; }

    /// <summary>The data as UTF-8 JSON.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>When it was saved.</summary>
    public DateTimeOffset SavedAt { get; }

    /// <summary>Its number within the job; 0 before a store gave it one.</summary>
    public long Sequence { get; }

    /// <summary>The same checkpoint with the number a store gave it.</summary>
    /// <param name="sequence">The number.</param>
    /// <returns>A new instance.</returns>
    public SerializedCheckpoint WithSequence(long sequence) => new(JobId, Stage, Progress, Data, SavedAt, sequence);
}
