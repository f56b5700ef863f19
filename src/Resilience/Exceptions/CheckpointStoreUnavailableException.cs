using System;

namespace Resilience;

/// <summary>
/// A checkpoint store could not be reached (Redis down or too slow): the checkpoint was not saved, or the job's
/// checkpoints could not be read. Nothing was changed.
/// </summary>
/// <remarks>
/// A store never drops a checkpoint silently: a caller that can go on without this one (the job's latest saved checkpoint
/// stays the one it would resume from) catches this exception around <see cref="ICheckpointStore.SaveAsync{T}"/>, logs
/// it and goes on; one that cannot retries the save.
/// </remarks>
public sealed class CheckpointStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What could not be done, where, and what to do.</param>
    /// <param name="innerException">What the store's client reported, if anything.</param>
    public CheckpointStoreUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
