namespace Resilience.Samples.Jobs;

/// <summary>
/// A speech-to-text service that fails now and then: the first attempt at every fifth chunk answers 503. The step that
/// calls it is retried, and a breaker stops the job from hammering the service when it is down for good.
/// </summary>
public sealed partial class TranscriptionService(TimeSpan workPerChunk)
{
    /// <summary>Transcribes one chunk of audio.</summary>
    [Retry(3, DelayMs = 100, Backoff = BackoffKind.Exponential, Jitter = false, OnRetry = nameof(LogRetry))]
    [CircuitBreaker(5, BreakDurationMs = 5_000, Name = "transcription-api")]
    [Idempotent]
    public partial Task<string> TranscribeChunkAsync(int chunk, CancellationToken cancellationToken);

    private int _lastChunk;
    private int _attempt;

    private async Task<string> TranscribeChunkAsyncCore(int chunk, CancellationToken cancellationToken)
    {
        _attempt = chunk == _lastChunk ? _attempt + 1 : 1;
        _lastChunk = chunk;
        await Task.Delay(workPerChunk, cancellationToken);
        if (chunk % 5 == 0 && _attempt == 1)
        {
            throw new HttpRequestException("503 Service Unavailable from the transcription service");
        }

        return $"[{chunk:00}] words of chunk {chunk}";
    }

    private static void LogRetry(Exception error, int attempt, TimeSpan delay)
        => Console.WriteLine($"  attempt {attempt} failed ({error.Message}); retrying in {delay.TotalMilliseconds:0} ms");
}
