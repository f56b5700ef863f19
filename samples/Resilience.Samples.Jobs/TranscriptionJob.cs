namespace Resilience.Samples.Jobs;

/// <summary>
/// A long job in two stages, <c>transcribe</c> (one chunk of audio at a time) and <c>summarize</c>, that saves checkpoints
/// as it goes and, started again after a crash, goes on from its latest one instead of from zero.
/// </summary>
public sealed class TranscriptionJob(ICheckpointStore checkpoints, TranscriptionService service, int chunks)
{
    private const string Transcribe = "transcribe";
    private const string Summarize = "summarize";

    /// <summary>Runs the job <paramref name="jobId"/> to its end, from its latest checkpoint if it has one.</summary>
    /// <param name="jobId">The job's id: the same on every run of the same job.</param>
    /// <param name="crashAfter">Ends the process abruptly after this many chunks of this run; null to run to the end.</param>
    /// <param name="cancellationToken">Stops the job; its checkpoints stay.</param>
    /// <returns>The summary of the transcript.</returns>
    public async Task<string> RunAsync(string jobId, int? crashAfter, CancellationToken cancellationToken)
    {
        Checkpoint<TranscriptionProgress>? latest = await checkpoints.GetLatestAsync<TranscriptionProgress>(jobId, cancellationToken);
        TranscriptionProgress progress = latest?.Data ?? new TranscriptionProgress(0, []);
        Console.WriteLine(latest is null
            ? $"starting job {jobId} from the beginning"
            : $"resuming job {jobId} from checkpoint #{latest.Sequence}: stage {latest.Stage}, {progress.ChunksDone}/{chunks} chunks done ({latest.Progress:P0})");

        int doneThisRun = 0;
        for (int chunk = progress.ChunksDone + 1; chunk <= chunks; chunk++)
        {
            string text = await service.TranscribeChunkAsync(chunk, cancellationToken);
            progress = new TranscriptionProgress(chunk, [.. progress.Lines, text]);
            Console.WriteLine($"chunk {chunk}/{chunks} transcribed");

            // At most one save per MinSaveInterval while the stage runs; the stage's end is always saved.
            await SaveAsync(jobId, Transcribe, progress, force: chunk == chunks, cancellationToken);

            if (++doneThisRun == crashAfter)
            {
                // As a kill -9 or a power cut would: no finally block, no flush, no goodbye.
                Console.WriteLine($"simulated crash after {doneThisRun} chunks of this run");
                System.Diagnostics.Process.GetCurrentProcess().Kill();
            }
        }

        string summary = $"{progress.Lines.Count} chunks, {progress.Lines.Sum(l => l.Split(' ').Length)} words";
        Console.WriteLine($"stage {Summarize}: {summary}");

        // Done: the checkpoints are not needed any more, and a later job with this id starts from zero.
        await checkpoints.DeleteAsync(jobId, cancellationToken);
        Console.WriteLine($"job {jobId} done: {doneThisRun} chunks transcribed in this run; transcript: {string.Join(" | ", progress.Lines.Select(l => l[..4]))}");
        return summary;
    }

    private async Task SaveAsync(string jobId, string stage, TranscriptionProgress progress, bool force, CancellationToken cancellationToken)
    {
        try
        {
            Checkpoint<TranscriptionProgress>? saved = await checkpoints.SaveAsync(jobId, stage, progress.ChunksDone / (double)chunks, progress, force, cancellationToken);
            Console.WriteLine(saved is null
                ? "  checkpoint skipped (the last one is younger than the save interval)"
                : $"  checkpoint #{saved.Sequence} saved: {progress.ChunksDone}/{chunks} chunks");
        }
        catch (CheckpointStoreUnavailableException e)
        {
            // The job goes on; a crash now would resume from the previous checkpoint.
            Console.WriteLine($"  checkpoint not saved: {e.Message}");
        }
    }
}
