using System;
using System.Text.Json;

namespace Resilience;

/// <summary>How a checkpoint store keeps a job's checkpoints: how many, how long, how often.</summary>
/// <remarks>
/// The defaults are the transcriber's: a save at most every 30 s, the last 10 kept per job, each job's checkpoints
/// forgotten 24 h after its latest save. A store takes a checked copy when it is created; changing the options later does
/// not change the store.
/// </remarks>
public sealed class CheckpointOptions
{
    /// <summary>The default of <see cref="MaxKeptPerJob"/>.</summary>
    public const int DefaultMaxKeptPerJob = 10;

    /// <summary>The default of <see cref="TimeToLive"/>: 24 hours.</summary>
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromHours(24);

    /// <summary>The default of <see cref="MinSaveInterval"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultMinSaveInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a job's checkpoints are kept after its latest save; then they are all forgotten, as if deleted. Default
    /// 24 h; at least 1 ms.
    /// </summary>
    public TimeSpan TimeToLive { get; set; } = DefaultTimeToLive;

    /// <summary>How many checkpoints are kept per job: a save beyond it drops the oldest. Default 10; at least 1.</summary>
    public int MaxKeptPerJob { get; set; } = DefaultMaxKeptPerJob;

    /// <summary>
    /// The shortest time between two saves of one job: a save sooner than that after the previous one is skipped (and
    /// <see cref="ICheckpointStore.SaveAsync{T}"/> returns null) unless it is forced. Default 30 s; zero saves every time.
    /// </summary>
    public TimeSpan MinSaveInterval { get; set; } = DefaultMinSaveInterval;

    /// <summary>
    /// The clock of <see cref="Checkpoint{T}.SavedAt"/>, the interval and (in memory) the time-to-live; null for
    /// <see cref="ResilienceRegistry.Default"/>'s <see cref="ResilienceRegistry.TimeProvider"/>, read at each call.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// How the data is written and read; null for <see cref="ResilienceRegistry.Default"/>'s
    /// <see cref="ResilienceRegistry.JsonSerializerOptions"/>, read at each call. Give options with a
    /// <see cref="System.Text.Json.Serialization.JsonSerializerContext"/> as their resolver for trimmed or native AOT
    /// applications.
    /// </summary>
    public JsonSerializerOptions? JsonSerializerOptions { get; set; }

    /// <summary>
    /// Checks every setting, as a store does when it is created; registrations call it so that a bad value stops the
    /// application at start-up.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is not valid; the message names it and what it must be.</exception>
    public void Validate() => ValidatedCopy();

    /// <summary>Checks every setting and returns an independent copy.</summary>
    /// <exception cref="ArgumentException">A setting is not valid; the message names it and what it must be.</exception>
    internal CheckpointOptions ValidatedCopy()
    {
        if (TimeToLive < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentException(
                $"CheckpointOptions.TimeToLive is {TimeToLive}; it must be at least 1 ms (the default is {DefaultTimeToLive}).", nameof(TimeToLive));
        }

        if (MaxKeptPerJob < 1)
        {
            throw new ArgumentException(
                $"CheckpointOptions.MaxKeptPerJob is {MaxKeptPerJob}; it must be at least 1 (the default is {DefaultMaxKeptPerJob}).", nameof(MaxKeptPerJob));
        }

        if (MinSaveInterval < TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"CheckpointOptions.MinSaveInterval is {MinSaveInterval}; it must be zero (save every time) or more (the default is {DefaultMinSaveInterval}).",
                nameof(MinSaveInterval));
        }

        return (CheckpointOptions)MemberwiseClone();
    }
}
