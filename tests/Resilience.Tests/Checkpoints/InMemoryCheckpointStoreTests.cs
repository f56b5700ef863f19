using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Checkpoints;

public sealed class InMemoryCheckpointStoreTests
{
    private const string Job = "transcription-42";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));

    private InMemoryCheckpointStore Store(Action<CheckpointOptions>? configure = null)
    {
        var options = new CheckpointOptions { TimeProvider = _clock };
        configure?.Invoke(options);
        return new InMemoryCheckpointStore(options);
    }

    [Fact]
    public async Task A_saved_checkpoint_is_read_back_with_its_stage_progress_data_time_and_sequence()
    {
        InMemoryCheckpointStore store = Store();
        var progress = new Transcript(3, ["one", "two", "three"]);

        Checkpoint<Transcript>? saved = await store.SaveAsync(Job, "transcribe", 0.375, progress);
        Checkpoint<Transcript>? latest = await store.GetLatestAsync<Transcript>(Job);

        Assert.NotNull(saved);
        Assert.NotNull(latest);
        Assert.Equal(1, saved.Sequence);
        Assert.Equal(Job, latest.JobId);
        Assert.Equal("transcribe", latest.Stage);
        Assert.Equal(0.375, latest.Progress);
        Assert.Equal(3, latest.Data.ChunksDone);
        Assert.Equal(["one", "two", "three"], latest.Data.Lines);
        Assert.Equal(_clock.GetUtcNow(), latest.SavedAt);
        Assert.Equal(1, latest.Sequence);
    }

    [Fact]
    public async Task A_job_without_checkpoints_has_no_latest_and_an_empty_list()
    {
        InMemoryCheckpointStore store = Store();

        Assert.Null(await store.GetLatestAsync<Transcript>(Job));
        Assert.Empty(await store.ListAsync<Transcript>(Job));
        Assert.False(await store.DeleteAsync(Job));
    }

    [Fact]
    public async Task The_list_is_newest_first_and_jobs_keep_apart()
    {
        InMemoryCheckpointStore store = Store(o => o.MinSaveInterval = TimeSpan.Zero);
        for (int i = 1; i <= 3; i++)
        {
            await store.SaveAsync(Job, "transcribe", i / 10.0, i);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        await store.SaveAsync("other-job", "download", 0.5, 99);

        IReadOnlyList<Checkpoint<int>> list = await store.ListAsync<int>(Job);
        Assert.Equal([3L, 2L, 1L], list.Select(c => c.Sequence));
        Assert.Equal([3, 2, 1], list.Select(c => c.Data));
        Assert.True(list[0].SavedAt > list[1].SavedAt);
        Assert.Equal(99, (await store.GetLatestAsync<int>("other-job"))!.Data);
        Assert.Equal(1, (await store.GetLatestAsync<int>("other-job"))!.Sequence);
    }

    [Fact]
    public async Task The_eleventh_save_drops_the_oldest_checkpoint()
    {
        InMemoryCheckpointStore store = Store(o => o.MinSaveInterval = TimeSpan.Zero);
        for (int i = 1; i <= 11; i++)
        {
            await store.SaveAsync(Job, "transcribe", i / 11.0, i);
        }

        IReadOnlyList<Checkpoint<int>> list = await store.ListAsync<int>(Job);
        Assert.Equal(CheckpointOptions.DefaultMaxKeptPerJob, list.Count);
        Assert.Equal(Enumerable.Range(2, 10).Reverse().Select(i => (long)i), list.Select(c => c.Sequence));
        Assert.Equal(11, (await store.GetLatestAsync<int>(Job))!.Data);
    }

    [Fact]
    public async Task A_save_within_thirty_seconds_of_the_last_is_skipped_unless_forced()
    {
        InMemoryCheckpointStore store = Store();
        Assert.NotNull(await store.SaveAsync(Job, "transcribe", 0.1, 1));

        _clock.Advance(TimeSpan.FromSeconds(29));
        Checkpoint<int>? skipped = await store.SaveAsync(Job, "transcribe", 0.2, 2);
        Assert.Null(skipped);
        Assert.Equal(1, (await store.GetLatestAsync<int>(Job))!.Data);

        Checkpoint<int>? forced = await store.SaveAsync(Job, "transcribe", 0.2, 2, force: true);
        Assert.Equal(2, forced!.Sequence);

        // The interval counts from the latest save, the forced one included.
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(await store.SaveAsync(Job, "transcribe", 0.3, 3));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Checkpoint<int>? due = await store.SaveAsync(Job, "transcribe", 0.3, 3);
        Assert.Equal(3, due!.Sequence);
        Assert.Equal(3, (await store.ListAsync<int>(Job)).Count);
    }

    [Fact]
    public async Task A_clock_that_went_back_does_not_skip_a_save()
    {
        // Another instance's clock, say, five minutes behind the one that saved last.
        var clock = new SettableClock { Now = _clock.GetUtcNow() };
        var store = new InMemoryCheckpointStore(new CheckpointOptions { TimeProvider = clock });
        await store.SaveAsync(Job, "transcribe", 0.1, 1);

        clock.Now -= TimeSpan.FromMinutes(5);

        Assert.NotNull(await store.SaveAsync(Job, "transcribe", 0.2, 2));
    }

    [Fact]
    public async Task Checkpoints_expire_twenty_four_hours_after_the_jobs_latest_save()
    {
        InMemoryCheckpointStore store = Store(o => o.MinSaveInterval = TimeSpan.Zero);
        await store.SaveAsync(Job, "transcribe", 0.1, 1);
        _clock.Advance(TimeSpan.FromHours(1));
        await store.SaveAsync(Job, "transcribe", 0.2, 2);

        // 24 h after the first save, but not after the latest: both are kept.
        _clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(2, (await store.ListAsync<int>(Job)).Count);

        _clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        Assert.NotNull(await store.GetLatestAsync<int>(Job));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Null(await store.GetLatestAsync<int>(Job));
        Assert.Empty(await store.ListAsync<int>(Job));
        Assert.Equal(0, store.JobCount);

        // The job starts again from sequence 1, as after a deletion.
        Assert.Equal(1, (await store.SaveAsync(Job, "transcribe", 0.1, 1))!.Sequence);
    }

    [Fact]
    public async Task An_expired_job_is_swept_by_a_later_save_of_another_job_or_by_RemoveExpired()
    {
        InMemoryCheckpointStore store = Store(o => o.TimeToLive = TimeSpan.FromMinutes(10));
        await store.SaveAsync("a", "transcribe", 0.1, 1);
        await store.SaveAsync("b", "transcribe", 0.1, 1);

        _clock.Advance(TimeSpan.FromMinutes(10));
        await store.SaveAsync("c", "transcribe", 0.1, 1);
        Assert.Equal(1, store.JobCount);

        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, store.RemoveExpired());
        Assert.Equal(0, store.JobCount);
    }

    [Fact]
    public async Task Delete_forgets_the_jobs_checkpoints_and_its_sequence()
    {
        InMemoryCheckpointStore store = Store(o => o.MinSaveInterval = TimeSpan.Zero);
        await store.SaveAsync(Job, "transcribe", 0.1, 1);
        await store.SaveAsync(Job, "transcribe", 0.2, 2);
        await store.SaveAsync("other-job", "transcribe", 0.2, 2);

        Assert.True(await store.DeleteAsync(Job));
        Assert.False(await store.DeleteAsync(Job));

        Assert.Null(await store.GetLatestAsync<int>(Job));
        Assert.NotNull(await store.GetLatestAsync<int>("other-job"));
        Assert.Equal(1, (await store.SaveAsync(Job, "transcribe", 0.1, 1))!.Sequence);
    }

    [Fact]
    public async Task A_checkpoint_is_a_snapshot_that_later_changes_to_the_data_do_not_reach()
    {
        InMemoryCheckpointStore store = Store();
        var lines = new List<string> { "one" };

        await store.SaveAsync(Job, "transcribe", 0.1, lines);
        lines.Add("two");

        Assert.Equal(["one"], (await store.GetLatestAsync<List<string>>(Job))!.Data);
    }

    [Fact]
    public async Task Data_goes_through_a_source_generated_context_given_in_the_options()
    {
        InMemoryCheckpointStore store = Store(o => o.JsonSerializerOptions = new JsonSerializerOptions { TypeInfoResolver = CheckpointTestContext.Default });

        await store.SaveAsync(Job, "transcribe", 0.5, new Transcript(1, ["hello"]));

        Assert.Equal(["hello"], (await store.GetLatestAsync<Transcript>(Job))!.Data.Lines);
        ResultSerializationException refused = await Assert.ThrowsAsync<ResultSerializationException>(() => store.SaveAsync(Job, "transcribe", 0.6, new Unlisted(1), force: true));
        Assert.Contains("checkpoints of job \"transcription-42\"", refused.Message);
        Assert.Contains("JsonSerializable(typeof(Unlisted))", refused.Message);
        Assert.Single(await store.ListAsync<Transcript>(Job));
    }

    [Fact]
    public async Task Data_that_System_Text_Json_cannot_write_is_refused_and_nothing_is_stored()
    {
        InMemoryCheckpointStore store = Store();

        ResultSerializationException refused = await Assert.ThrowsAsync<ResultSerializationException>(
            () => store.SaveAsync(Job, "transcribe", 0.5, new WithDelegate(() => 1)));

        Assert.Equal(typeof(WithDelegate), refused.ResultType);
        Assert.Contains("TypeInfoResolver", refused.Message);
        Assert.Null(await store.GetLatestAsync<int>(Job));
        Assert.Equal(0, store.JobCount);
    }

    [Fact]
    public async Task Data_read_as_another_type_than_saved_is_a_clear_error()
    {
        InMemoryCheckpointStore store = Store();
        await store.SaveAsync(Job, "transcribe", 0.5, new Transcript(1, ["hello"]));

        ResultSerializationException refused = await Assert.ThrowsAsync<ResultSerializationException>(() => store.GetLatestAsync<int>(Job));

        Assert.Equal(typeof(int), refused.ResultType);
    }

    [Theory]
    [InlineData(null, "is null")]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    public async Task A_missing_job_id_is_refused_with_what_to_give(string? jobId, string problem)
    {
        InMemoryCheckpointStore store = Store();

        ArgumentException refused = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SaveAsync(jobId!, "transcribe", 0.5, 1));

        Assert.Equal("jobId", refused.ParamName);
        Assert.Contains(problem, refused.Message);
        Assert.Contains("give the id the job is known by", refused.Message);
        Assert.Equal(0, store.JobCount);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetLatestAsync<int>(jobId!));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync<int>(jobId!));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DeleteAsync(jobId!));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_missing_stage_is_refused(string? stage)
    {
        InMemoryCheckpointStore store = Store();

        ArgumentException refused = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SaveAsync(Job, stage!, 0.5, 1));

        Assert.Equal("stage", refused.ParamName);
        Assert.Contains("name the stage the job is in", refused.Message);
        Assert.Equal(0, store.JobCount);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public async Task A_progress_outside_zero_to_one_is_refused_and_nothing_is_stored(double progress)
    {
        InMemoryCheckpointStore store = Store();

        ArgumentOutOfRangeException refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SaveAsync(Job, "transcribe", progress, 1));

        Assert.Equal("progress", refused.ParamName);
        Assert.Contains("job 'transcription-42' at stage 'transcribe'", refused.Message);
        Assert.Contains("it must be from 0 (not started) to 1 (done)", refused.Message);
        Assert.Equal(0, store.JobCount);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public async Task Zero_and_one_are_valid_progress(double progress)
    {
        InMemoryCheckpointStore store = Store();

        Assert.NotNull(await store.SaveAsync(Job, "transcribe", progress, 1));
    }

    [Fact]
    public async Task A_cancelled_save_stores_nothing()
    {
        InMemoryCheckpointStore store = Store();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SaveAsync(Job, "transcribe", 0.5, 1, cancellationToken: new CancellationToken(canceled: true)));

        Assert.Equal(0, store.JobCount);
    }

    [Fact]
    public async Task Parallel_saves_of_one_job_get_every_sequence_number_once()
    {
        InMemoryCheckpointStore store = Store(o => o.MaxKeptPerJob = 1_000);
        const int Writers = 8, SavesEach = 50;

        Checkpoint<int>?[][] saved = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var mine = new Checkpoint<int>?[SavesEach];
            for (int i = 0; i < SavesEach; i++)
            {
                mine[i] = await store.SaveAsync(Job, "transcribe", 0.5, (w * SavesEach) + i, force: true);
            }

            return mine;
        })));

        long[] sequences = saved.SelectMany(s => s).Select(c => c!.Sequence).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, Writers * SavesEach).Select(i => (long)i), sequences);
        IReadOnlyList<Checkpoint<int>> list = await store.ListAsync<int>(Job);
        Assert.Equal(Writers * SavesEach, list.Count);
        Assert.Equal(Writers * SavesEach, list[0].Sequence);
    }

    [Fact]
    public async Task Parallel_unforced_saves_within_the_interval_store_exactly_one()
    {
        InMemoryCheckpointStore store = Store();

        Checkpoint<int>?[] saved = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => store.SaveAsync(Job, "transcribe", 0.5, i))));

        Assert.Single(saved, c => c is not null);
        Assert.Single(await store.ListAsync<int>(Job));
    }

    [Fact]
    public void Options_out_of_range_are_refused_with_the_setting_and_the_range()
    {
        Assert.Contains("CheckpointOptions.MaxKeptPerJob is 0; it must be at least 1",
            Assert.Throws<ArgumentException>(() => new InMemoryCheckpointStore(new CheckpointOptions { MaxKeptPerJob = 0 })).Message);
        Assert.Contains("CheckpointOptions.TimeToLive is 00:00:00; it must be at least 1 ms",
            Assert.Throws<ArgumentException>(() => new InMemoryCheckpointStore(new CheckpointOptions { TimeToLive = TimeSpan.Zero })).Message);
        Assert.Contains("CheckpointOptions.MinSaveInterval is -00:00:01; it must be zero (save every time) or more",
            Assert.Throws<ArgumentException>(() => new InMemoryCheckpointStore(new CheckpointOptions { MinSaveInterval = TimeSpan.FromSeconds(-1) })).Message);
    }

    [Fact]
    public void The_defaults_are_a_day_ten_checkpoints_and_thirty_seconds_and_the_store_keeps_a_copy()
    {
        var options = new CheckpointOptions();
        var store = new InMemoryCheckpointStore(options);
        options.MaxKeptPerJob = 3;

        Assert.Equal(TimeSpan.FromHours(24), store.Options.TimeToLive);
        Assert.Equal(10, store.Options.MaxKeptPerJob);
        Assert.Equal(TimeSpan.FromSeconds(30), store.Options.MinSaveInterval);
    }

    [Fact]
    public async Task The_least_options_are_accepted_one_checkpoint_kept_for_one_millisecond()
    {
        InMemoryCheckpointStore store = Store(o =>
        {
            o.MaxKeptPerJob = 1;
            o.TimeToLive = TimeSpan.FromMilliseconds(1);
            o.MinSaveInterval = TimeSpan.Zero;
        });

        await store.SaveAsync(Job, "transcribe", 0.1, 1);
        await store.SaveAsync(Job, "transcribe", 0.2, 2);
        Assert.Equal([2], (await store.ListAsync<int>(Job)).Select(c => c.Data));

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await store.GetLatestAsync<int>(Job));
    }

    [Fact]
    public async Task Deleting_a_job_whose_checkpoints_have_expired_answers_that_it_had_none()
    {
        InMemoryCheckpointStore store = Store(o => o.TimeToLive = TimeSpan.FromMinutes(10));
        await store.SaveAsync(Job, "transcribe", 0.1, 1);
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, store.JobCount);

        Assert.False(await store.DeleteAsync(Job));
        Assert.Equal(0, store.JobCount);
    }

    [Fact]
    public async Task Saves_sweep_the_expired_jobs_at_most_once_per_time_to_live()
    {
        InMemoryCheckpointStore store = Store(o => o.TimeToLive = TimeSpan.FromMinutes(10));
        _clock.Advance(TimeSpan.FromMinutes(1));
        await store.SaveAsync("a", "transcribe", 0.1, 1);

        // Ten minutes after the store's start: a sweep, while "a" is still live.
        _clock.Advance(TimeSpan.FromMinutes(9));
        await store.SaveAsync("b", "transcribe", 0.1, 1);

        // "a" has expired, but the last sweep is only two minutes old: the save does not look at the other jobs.
        _clock.Advance(TimeSpan.FromMinutes(2));
        await store.SaveAsync("c", "transcribe", 0.1, 1);
        Assert.Equal(3, store.JobCount);

        // Ten minutes after the last sweep, the next save sweeps "a" and "b" (whose ten minutes are up too).
        _clock.Advance(TimeSpan.FromMinutes(8));
        await store.SaveAsync("d", "transcribe", 0.1, 1);
        Assert.Equal(2, store.JobCount);
        Assert.NotNull(await store.GetLatestAsync<int>("c"));
    }

    [Fact]
    public void A_checkpoint_reads_as_its_number_job_stage_progress_and_time()
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            var checkpoint = new Checkpoint<int>(Job, "transcribe", 0.25, 3, _clock.GetUtcNow(), sequence: 4);

            Assert.Equal("Checkpoint #4 of job 'transcription-42': transcribe, 25 %, saved 2026-11-29T09:00:00.0000000+00:00", checkpoint.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public async Task A_store_that_answers_later_completes_calls_made_from_a_blocked_synchronization_context()
    {
        var store = new LateStore(new CheckpointOptions { TimeProvider = _clock });
        var blocked = new BlockedSynchronizationContext();

        Task<Checkpoint<int>?> saved = blocked.Start(() => store.SaveAsync(Job, "transcribe", 0.5, 42));
        store.Answer();
        Assert.Equal(1, (await saved.Guarded())!.Sequence);

        Task<Checkpoint<int>?> latest = blocked.Start(() => store.GetLatestAsync<int>(Job));
        Task<IReadOnlyList<Checkpoint<int>>> list = blocked.Start(() => store.ListAsync<int>(Job));
        store.Answer();
        Assert.Equal(42, (await latest.Guarded())!.Data);
        Assert.Equal([42], (await list.Guarded()).Select(c => c.Data));
        Assert.Equal(0, blocked.Posted);
    }

    [Fact]
    public async Task A_save_made_while_its_job_expires_is_kept_in_the_jobs_new_entry()
    {
        DateTimeOffset start = _clock.GetUtcNow();
        var clock = new HeldClock { Now = start };
        var store = new InMemoryCheckpointStore(new CheckpointOptions { TimeProvider = clock, TimeToLive = TimeSpan.FromMinutes(10), MinSaveInterval = TimeSpan.Zero });
        await store.SaveAsync(Job, "transcribe", 0.1, 1);
        clock.Now = start + TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1);

        // A reader finds the job, and is held while it looks at the clock to see whether the job has expired.
        var reader = new Thread(() => store.GetLatestAsync<int>(Job).GetAwaiter().GetResult()) { IsBackground = true };
        clock.Hold(reader);
        reader.Start();
        clock.WaitUntilHeld();

        // A save finds the same job and waits for the reader to be done with it.
        Checkpoint<int>? saved = null;
        var saver = new Thread(() => saved = store.SaveAsync(Job, "transcribe", 0.2, 2).GetAwaiter().GetResult()) { IsBackground = true };
        saver.Start();
        TestSupport.SpinUntil(() => (saver.ThreadState & ThreadState.WaitSleepJoin) != 0, "the save waits for the job");

        // The reader sees the job expire and drops it; the save then lands in the job's new entry, not in the dropped one.
        clock.Now = start + TimeSpan.FromMinutes(10);
        clock.Release();
        Assert.True(reader.Join(TestSupport.HangGuard));
        Assert.True(saver.Join(TestSupport.HangGuard));

        Assert.Equal(1, saved!.Sequence);
        Checkpoint<int>? latest = await store.GetLatestAsync<int>(Job);
        Assert.NotNull(latest);
        Assert.Equal(2, latest.Data);
    }

    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }

    // The only tests of this assembly that use checkpoint stores are this class's, which run one at a time: the counts are exact.
    [Fact]
    public async Task Saves_and_reads_are_counted_by_stage_and_outcome()
    {
        using var saves = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.checkpoint.saves");
        using var reads = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.checkpoint.reads");
        InMemoryCheckpointStore store = Store();

        Assert.Null(await store.GetLatestAsync<int>(Job));
        await store.SaveAsync(Job, "download", 0.5, 1);
        Assert.Null(await store.SaveAsync(Job, "download", 0.6, 2));
        _clock.Advance(TimeSpan.FromMinutes(1));
        await store.SaveAsync(Job, "transcribe", 0.7, 3);
        Assert.Equal(3, (await store.GetLatestAsync<int>(Job))!.Data);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SaveAsync(Job, "transcribe", 2, 4));

        Assert.Equal(
            ["download saved", "download skipped", "transcribe saved"],
            saves.GetMeasurementSnapshot().Select(m => $"{m.Tags["resilience.checkpoint.stage"]} {m.Tags["resilience.checkpoint.outcome"]}").ToArray());
        Assert.All(saves.GetMeasurementSnapshot(), m => Assert.Equal(1, m.Value));
        Assert.Equal(["none", "found"], reads.GetMeasurementSnapshot().Select(m => (string)m.Tags["resilience.checkpoint.outcome"]!).ToArray());

        // Data that is not of the type asked for: the job cannot resume from it.
        await Assert.ThrowsAsync<ResultSerializationException>(() => store.GetLatestAsync<Guid>(Job));
        Assert.Equal("failed", reads.GetMeasurementSnapshot().Last().Tags["resilience.checkpoint.outcome"]);
    }

    [Fact]
    public async Task A_store_that_throws_is_counted_as_failed_and_a_cancelled_call_is_not_counted()
    {
        using var saves = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.checkpoint.saves");
        using var reads = new MetricCollector<long>(meterScope: null, "Resilience", "resilience.checkpoint.reads");
        var store = new BrokenStore(new CheckpointOptions { TimeProvider = _clock });

        await Assert.ThrowsAsync<CheckpointStoreUnavailableException>(() => store.SaveAsync(Job, "download", 0.5, 1));
        await Assert.ThrowsAsync<CheckpointStoreUnavailableException>(() => store.GetLatestAsync<int>(Job));

        // A cancellation the caller did not ask for (the store's own time limit) is a failure too.
        store.Throw = () => new OperationCanceledException("The store's own time limit.");
        await Assert.ThrowsAsync<OperationCanceledException>(() => store.SaveAsync(Job, "upload", 0.5, 1));
        await Assert.ThrowsAsync<OperationCanceledException>(() => store.GetLatestAsync<int>(Job));

        // Cancelled by the caller while the store works (the store cancels the caller's token, then throws as a cancelled call does).
        using var cancelledSave = new CancellationTokenSource();
        store.Cancel = cancelledSave;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SaveAsync(Job, "transcribe", 0.5, 1, cancellationToken: cancelledSave.Token));
        using var cancelledRead = new CancellationTokenSource();
        store.Cancel = cancelledRead;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetLatestAsync<int>(Job, cancelledRead.Token));

        Assert.Equal(["download failed", "upload failed"], saves.GetMeasurementSnapshot().Select(m => $"{m.Tags["resilience.checkpoint.stage"]} {m.Tags["resilience.checkpoint.outcome"]}").ToArray());
        Assert.Equal(["failed", "failed"], reads.GetMeasurementSnapshot().Select(m => (string)m.Tags["resilience.checkpoint.outcome"]!).ToArray());
    }

    /// <summary>Fails every operation as an unreachable server would (or with <see cref="Throw"/>), or, once <see cref="Cancel"/> is set, cancels it while it runs.</summary>
    private sealed class BrokenStore(CheckpointOptions options) : CheckpointStore(options)
    {
        public CancellationTokenSource? Cancel { get; set; }

        /// <summary>What a failing operation throws, when not cancelled by the caller.</summary>
        public Func<Exception> Throw { get; set; } = static () => new CheckpointStoreUnavailableException("The store is down.");

        protected override Task<SerializedCheckpoint?> SaveCoreAsync(SerializedCheckpoint checkpoint, bool force, CancellationToken cancellationToken) => Fail<SerializedCheckpoint?>(cancellationToken);

        protected override Task<SerializedCheckpoint?> GetLatestCoreAsync(string jobId, CancellationToken cancellationToken) => Fail<SerializedCheckpoint?>(cancellationToken);

        protected override Task<IReadOnlyList<SerializedCheckpoint>> ListCoreAsync(string jobId, CancellationToken cancellationToken) => Fail<IReadOnlyList<SerializedCheckpoint>>(cancellationToken);

        protected override Task<bool> DeleteCoreAsync(string jobId, CancellationToken cancellationToken) => Fail<bool>(cancellationToken);

        private Task<T> Fail<T>(CancellationToken cancellationToken)
        {
            if (Cancel is { } cancel)
            {
                cancel.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }

            throw Throw();
        }
    }

    /// <summary>A store that answers each request only when the test says so, as a remote store answers later.</summary>
    private sealed class LateStore(CheckpointOptions options) : CheckpointStore(options)
    {
        private TaskCompletionSource _answer = new();
        private SerializedCheckpoint? _latest;

        /// <summary>Answers the requests made so far.</summary>
        public void Answer() => Interlocked.Exchange(ref _answer, new TaskCompletionSource()).SetResult();

        protected override async Task<SerializedCheckpoint?> SaveCoreAsync(SerializedCheckpoint checkpoint, bool force, CancellationToken cancellationToken)
        {
            await Volatile.Read(ref _answer).Task.ConfigureAwait(false);
            return _latest = checkpoint.WithSequence(1);
        }

        protected override async Task<SerializedCheckpoint?> GetLatestCoreAsync(string jobId, CancellationToken cancellationToken)
        {
            await Volatile.Read(ref _answer).Task.ConfigureAwait(false);
            return _latest;
        }

        protected override async Task<IReadOnlyList<SerializedCheckpoint>> ListCoreAsync(string jobId, CancellationToken cancellationToken)
        {
            await Volatile.Read(ref _answer).Task.ConfigureAwait(false);
            return _latest is null ? [] : [_latest];
        }

        protected override Task<bool> DeleteCoreAsync(string jobId, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    /// <summary>A settable clock that can hold one thread when it reads the time, until the test releases it.</summary>
    private sealed class HeldClock : TimeProvider
    {
        private readonly ManualResetEventSlim _held = new();
        private readonly ManualResetEventSlim _released = new();
        private Thread? _holding;

        public DateTimeOffset Now { get; set; }

        public void Hold(Thread thread) => _holding = thread;

        public void WaitUntilHeld() => Assert.True(_held.Wait(TestSupport.HangGuard), "The thread never read the clock.");

        public void Release() => _released.Set();

        public override DateTimeOffset GetUtcNow()
        {
            if (ReferenceEquals(Thread.CurrentThread, _holding))
            {
                _held.Set();
                _released.Wait(TestSupport.HangGuard);
            }

            return Now;
        }
    }

    public sealed record Transcript(int ChunksDone, List<string> Lines);

    public sealed record Unlisted(int Value);

    public sealed class WithDelegate(Func<int> value)
    {
        public Func<int> Value { get; } = value;
    }
}

[JsonSerializable(typeof(InMemoryCheckpointStoreTests.Transcript))]
internal sealed partial class CheckpointTestContext : JsonSerializerContext;
