using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// An <see cref="ICheckpointStore"/> in this process's memory: a job restarted in the same process (after a failed
/// attempt) resumes from it; one restarted after the process ended does not, for which use the Redis store of
/// Resilience.Generators.Redis.
/// </summary>
/// <remarks>
/// <para>
/// The data is kept as its JSON, as a shared store keeps it: a checkpoint is a snapshot that later changes to the job's
/// objects do not reach, and a type that only a shared store would refuse is refused here too.
/// </para>
/// <para>
/// A job's checkpoints expire <see cref="CheckpointOptions.TimeToLive"/> after its latest save, on
/// <see cref="CheckpointOptions.TimeProvider"/>'s clock. An expired job is dropped when it is next read or saved, and by
/// a sweep of every job that a save runs at most once per <see cref="CheckpointOptions.TimeToLive"/> (or call
/// <see cref="RemoveExpired"/>). Thread-safe: saves of one job are serialized, so their sequence numbers are exact.
/// </para>
/// </remarks>
public sealed class InMemoryCheckpointStore : CheckpointStore
{
    private static readonly Task<bool> True = Task.FromResult(true);
    private static readonly Task<bool> False = Task.FromResult(false);
    private static readonly Task<SerializedCheckpoint?> None = Task.FromResult<SerializedCheckpoint?>(null);

    private readonly ConcurrentDictionary<string, JobCheckpoints> _jobs = new(StringComparer.Ordinal);

    // Clock ticks (UTC) of the last sweep of expired jobs.
    private long _lastSweepTicks;

    /// <summary>Creates an empty store.</summary>
    /// <param name="options">How many checkpoints, how long, how often; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is not valid; the message names it.</exception>
    public InMemoryCheckpointStore(CheckpointOptions? options = null)
        : base(options)
    {
        _lastSweepTicks = Clock.GetUtcNow().UtcTicks;
    }

    /// <summary>How many jobs have checkpoints (expired ones not yet dropped included).</summary>
    public int JobCount => _jobs.Count;

    /// <summary>Drops every job whose checkpoints have expired.</summary>
    /// <returns>How many jobs were dropped.</returns>
    public int RemoveExpired()
    {
        DateTimeOffset now = Clock.GetUtcNow();
        Volatile.Write(ref _lastSweepTicks, now.UtcTicks);
        int removed = 0;
        foreach (KeyValuePair<string, JobCheckpoints> entry in _jobs)
        {
            JobCheckpoints job = entry.Value;
            lock (job)
            {
                if (!job.HasExpiredLocked(now, TimeToLive))
                {
                    continue;
                }

                job.RetireLocked();
            }

            if (RemoveEntry(entry))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <inheritdoc/>
    protected override Task<SerializedCheckpoint?> SaveCoreAsync(SerializedCheckpoint checkpoint, bool force, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset now = checkpoint.SavedAt;
        SweepIfDue(now);
        while (true)
        {
            JobCheckpoints job = _jobs.GetOrAdd(checkpoint.JobId, static _ => new JobCheckpoints());
            lock (job)
            {
                if (job.Retired)
                {
                    // Deleted or swept between the lookup and the lock: save into the job's new entry.
                    continue;
                }

                if (job.HasExpiredLocked(now, TimeToLive))
                {
                    job.ClearLocked();
                }

                if (!force && job.Newest is { } newest)
                {
                    TimeSpan sinceLast = now - newest.SavedAt;

                    // A clock that went back never skips a save: only a save within the interval after the last is skipped.
                    if (sinceLast >= TimeSpan.Zero && sinceLast < MinSaveInterval)
                    {
                        return None;
                    }
                }

                SerializedCheckpoint stored = checkpoint.WithSequence(job.NextSequenceLocked());
                job.AddLocked(stored, MaxKeptPerJob);
                return Task.FromResult<SerializedCheckpoint?>(stored);
            }
        }
    }

    /// <inheritdoc/>
    protected override Task<SerializedCheckpoint?> GetLatestCoreAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!TryGetLive(jobId, out JobCheckpoints? job))
        {
            return None;
        }

        lock (job)
        {
            return Task.FromResult(job.Retired ? null : job.Newest);
        }
    }

    /// <inheritdoc/>
    protected override Task<IReadOnlyList<SerializedCheckpoint>> ListCoreAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!TryGetLive(jobId, out JobCheckpoints? job))
        {
            return Task.FromResult<IReadOnlyList<SerializedCheckpoint>>(Array.Empty<SerializedCheckpoint>());
        }

        lock (job)
        {
            return Task.FromResult<IReadOnlyList<SerializedCheckpoint>>(job.Retired ? Array.Empty<SerializedCheckpoint>() : job.SnapshotLocked());
        }
    }

    /// <inheritdoc/>
    protected override Task<bool> DeleteCoreAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!_jobs.TryRemove(jobId, out JobCheckpoints? job))
        {
            return False;
        }

        lock (job)
        {
            bool had = !job.Retired && job.Newest is not null && !job.HasExpiredLocked(Clock.GetUtcNow(), TimeToLive);
            job.RetireLocked();
            return had ? True : False;
        }
    }

    /// <summary>The job's entry when it has unexpired checkpoints; an expired one is dropped.</summary>
    private bool TryGetLive(string jobId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JobCheckpoints? job)
    {
        if (!_jobs.TryGetValue(jobId, out job))
        {
            return false;
        }

        lock (job)
        {
            if (!job.HasExpiredLocked(Clock.GetUtcNow(), TimeToLive))
            {
                return true;
            }

            job.RetireLocked();
        }

        RemoveEntry(new KeyValuePair<string, JobCheckpoints>(jobId, job));
        job = null;
        return false;
    }

    /// <summary>Removes the entry only if it still holds this job's object (not a newer one saved meanwhile).</summary>
    private bool RemoveEntry(KeyValuePair<string, JobCheckpoints> entry) => ((ICollection<KeyValuePair<string, JobCheckpoints>>)_jobs).Remove(entry);

    /// <summary>Sweeps the expired jobs when the last sweep is a time-to-live old.</summary>
    private void SweepIfDue(DateTimeOffset now)
    {
        long last = Volatile.Read(ref _lastSweepTicks);
        if (now.UtcTicks - last >= TimeToLive.Ticks && Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last) == last)
        {
            RemoveExpired();
        }
    }

    /// <summary>One job's checkpoints, oldest first; every member but the constructor is called under its lock.</summary>
    private sealed class JobCheckpoints
    {
        private readonly List<SerializedCheckpoint> _kept = new();
        private long _sequence;

        /// <summary>True once the entry left the dictionary (deleted, expired): a save that finds it retries.</summary>
        public bool Retired { get; private set; }

        public SerializedCheckpoint? Newest => _kept.Count == 0 ? null : _kept[_kept.Count - 1];

        public bool HasExpiredLocked(DateTimeOffset now, TimeSpan timeToLive) => Newest is { } newest && now - newest.SavedAt >= timeToLive;

        public long NextSequenceLocked() => ++_sequence;

        public void AddLocked(SerializedCheckpoint checkpoint, int maxKept)
        {
            _kept.Add(checkpoint);
            if (_kept.Count > maxKept)
            {
                _kept.RemoveRange(0, _kept.Count - maxKept);
            }
        }

        /// <summary>Forgets the checkpoints and the sequence, as an expired Redis key does.</summary>
        public void ClearLocked()
        {
            _kept.Clear();
            _sequence = 0;
        }

        public void RetireLocked()
        {
            ClearLocked();
            Retired = true;
        }

        public SerializedCheckpoint[] SnapshotLocked()
        {
            var snapshot = new SerializedCheckpoint[_kept.Count];
            for (int i = 0; i < snapshot.Length; i++)
            {
                snapshot[i] = _kept[_kept.Count - 1 - i];
            }

            return snapshot;
        }
    }
}
