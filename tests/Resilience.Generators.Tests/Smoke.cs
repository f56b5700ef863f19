using Resilience;

namespace Resilience.Generators.Tests.Scratch;

public sealed record Receipt(string Id);

public partial class PaymentsClient
{
    public int Calls;

    [Retry(3, DelayMs = 200, Backoff = BackoffKind.Exponential)]
    [CircuitBreaker(5, BreakDurationMs = 30_000, Name = "smoke-payments")]
    [Timeout(2_000)]
    [Fallback(nameof(CachedReceipt))]
    [Idempotent]
    public partial Task<Receipt> GetReceiptAsync(string id, CancellationToken ct);

    private Task<Receipt> GetReceiptAsyncCore(string id, CancellationToken ct) { Calls++; return Task.FromResult(new Receipt(id)); }

    private Receipt CachedReceipt(string id, CancellationToken ct, Exception error) => new("cached-" + id);

    [Retry(2, DelayMs = 0)]
    [Bulkhead(2, MaxQueue = 1)]
    [RateLimit(10, 1000)]
    public partial int Add(int a, in int b);

    private int AddCore(int a, in int b) => a + b;

    [Timeout(100, Scope = TimeoutScope.Total)]
    [RateLimit(5, 1000)]
    public static partial ValueTask<T> EchoAsync<T>(T value, [RateLimitKey] string? user, CancellationToken cancellationToken = default) where T : notnull;

    private static ValueTask<T> EchoAsyncCore<T>(T value, string? user, CancellationToken cancellationToken) where T : notnull => new(value);
}
