using Resilience;

namespace Resilience.Samples;

/// <summary>A client of an unreliable inventory service, made resilient by attributes alone.</summary>
public sealed partial class InventoryClient(ScriptedService inventory)
{
    /// <summary>Retries counted by <see cref="LogRetry"/>, for the summary.</summary>
    public int Retries { get; private set; }

    /// <summary>Answers given by <see cref="CachedStock"/>, for the summary.</summary>
    public int Fallbacks { get; private set; }

    /// <summary>Reads a stock level: retried, timed out per attempt, guarded by a breaker, with a cached answer as fallback.</summary>
    [Retry(3, DelayMs = 100, Backoff = BackoffKind.Exponential, Jitter = false, OnRetry = nameof(LogRetry))]
    [CircuitBreaker(3, BreakDurationMs = 1_000, Name = "inventory")]
    [Timeout(300)]
    [Fallback(nameof(CachedStock))]
    [Idempotent]
    public partial Task<int> GetStockAsync(string sku, CancellationToken ct = default);

    /// <summary>Reads a price: at most two calls at once.</summary>
    [Bulkhead(2, Name = "pricing")]
    public partial Task<int> GetPriceAsync(string sku, CancellationToken ct = default);

    /// <summary>Asks for a shipping quote: at most three calls a second.</summary>
    [RateLimit(3, 1_000, Name = "quotes")]
    public partial Task<int> GetQuoteAsync(string sku, CancellationToken ct = default);

    /// <summary>
    /// Asks whether an item is available, over HTTP: 408, 429 and 5xx responses are failures without any exception,
    /// retried after the Retry-After they carry, and counted by the breaker.
    /// </summary>
    [Retry(3, DelayMs = 100, Jitter = false, OnRetry = nameof(LogFailedResponse))]
    [CircuitBreaker(5, BreakDurationMs = 1_000, Name = "availability", HonorRetryAfter = true)]
    [Idempotent]
    public partial Task<HttpResponseMessage> GetAvailabilityAsync(string sku, CancellationToken ct = default);

    private Task<int> GetStockAsyncCore(string sku, CancellationToken ct) => inventory.CallAsync(42, ct);

    private Task<HttpResponseMessage> GetAvailabilityAsyncCore(string sku, CancellationToken ct) => inventory.RespondAsync(ct);

    private async Task<int> GetPriceAsyncCore(string sku, CancellationToken ct)
    {
        await Task.Delay(200, ct);
        return await inventory.CallAsync(999, ct);
    }

    private Task<int> GetQuoteAsyncCore(string sku, CancellationToken ct) => inventory.CallAsync(7, ct);

    private int CachedStock(string sku, CancellationToken ct, Exception error)
    {
        Fallbacks++;
        Output.Note($"fallback answers from the cache ({error.GetType().Name}: {error.Message})");
        return 40;
    }

    private void LogFailedResponse(Outcome<HttpResponseMessage> outcome, int attempt, TimeSpan delay)
    {
        Retries++;
        string failure = outcome.IsException ? outcome.Exception!.GetType().Name : $"{(int)outcome.Result!.StatusCode} {outcome.Result.ReasonPhrase}";
        Output.Note($"attempt {attempt} answered {failure}; retrying in {delay.TotalMilliseconds:0} ms");
    }

    private void LogRetry(Exception error, int attempt, TimeSpan delay)
    {
        Retries++;
        Output.Note($"attempt {attempt} failed ({error.GetType().Name}); retrying in {delay.TotalMilliseconds:0} ms");
    }
}
