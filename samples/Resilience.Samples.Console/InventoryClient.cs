using Resilience;

namespace Resilience.Samples;

/// <summary>A client of an unreliable inventory service, made resilient by attributes alone.</summary>
public sealed partial class InventoryClient(ScriptedService inventory)
{
    /// <summary>Reads a stock level: retried, timed out per attempt, guarded by a breaker, with a cached answer as fallback.</summary>
    [Retry(3, DelayMs = 100, Backoff = BackoffKind.Exponential, Jitter = false, OnRetry = nameof(LogRetry))]
    [CircuitBreaker(3, BreakDurationMs = 1_000, Name = "inventory")]
    [Timeout(300)]
    [Fallback(nameof(CachedStock))]
    [Idempotent]
    public partial Task<int> GetStockAsync(string sku, CancellationToken ct = default);

    /// <summary>Reads a price: at most two calls at once and five per second.</summary>
    [Bulkhead(2)]
    [RateLimit(5, 1_000, Algorithm = RateLimitAlgorithm.FixedWindow)]
    public partial Task<decimal> GetPriceAsync(string sku, CancellationToken ct = default);

    private Task<int> GetStockAsyncCore(string sku, CancellationToken ct) => inventory.CallAsync(42, ct);

    private async Task<decimal> GetPriceAsyncCore(string sku, CancellationToken ct)
    {
        await Task.Delay(200, ct);
        return 9.99m;
    }

    private static int CachedStock(string sku, CancellationToken ct, Exception error)
    {
        Output.Note($"fallback answers from the cache ({error.GetType().Name}: {error.Message})");
        return 40;
    }

    private static void LogRetry(Exception error, int attempt, TimeSpan delay)
        => Output.Note($"attempt {attempt} failed ({error.GetType().Name}); retrying in {delay.TotalMilliseconds:0} ms");
}
