using System;
using System.Threading;
using System.Threading.Tasks;
using Resilience;

namespace Resilience.Generators.Compatibility
{
    public sealed class Receipt
    {
        public Receipt(string id) => Id = id;

        public string Id { get; }
    }

    public partial class PaymentsClient
    {
        [Retry(3, DelayMs = 200, Backoff = BackoffKind.Exponential)]
        [CircuitBreaker(5, BreakDurationMs = 30_000, Name = "compat-payments")]
        [Timeout(2_000)]
        [Fallback(nameof(CachedReceipt))]
        [Bulkhead(8, MaxQueue = 4)]
        [RateLimit(100, 1_000)]
        [Idempotent]
        public partial Task<Receipt> GetReceiptAsync(string id, CancellationToken ct);

        private Task<Receipt> GetReceiptAsyncCore(string id, CancellationToken ct) => Task.FromResult(new Receipt(id));

        private Receipt CachedReceipt(string id, CancellationToken ct, Exception error) => new Receipt("cached-" + id);

        [Retry(2)] [Timeout(500, Scope = TimeoutScope.Total)]
        public partial ValueTask<int> CountAsync(CancellationToken ct = default);

        private ValueTask<int> CountAsyncCore(CancellationToken ct) => new ValueTask<int>(1);

        [Retry(2)] [Fallback(nameof(NoFlush))]
        public partial ValueTask FlushAsync(CancellationToken ct);

        private ValueTask FlushAsyncCore(CancellationToken ct) => default;

        private Task NoFlush(CancellationToken ct) => Task.CompletedTask;

        [Retry(2)] [Bulkhead(1)]
        internal partial void Touch(in int value, params string[] tags);

        private void TouchCore(in int value, params string[] tags) { }

        [RateLimit(10, 1_000)]
        protected static partial string? Find(CancellationToken first, [RateLimitKey] string? user, int page = 1);

        private static string? FindCore(CancellationToken first, string? user, int page) => user;

        [CircuitBreaker(FailureRatio = 0.5)]
        private partial Task SendAsync(byte[] payload);

        private Task SendAsyncCore(byte[] payload) => Task.CompletedTask;
    }

    public static partial class Generic<TOwner>
        where TOwner : class
    {
        public partial class Nested
        {
            [Timeout(100)] [Retry(2)]
            public partial Task<T?> GetAsync<T>(TOwner owner, CancellationToken ct) where T : class, new();

            private Task<T?> GetAsyncCore<T>(TOwner owner, CancellationToken ct) where T : class, new() => Task.FromResult<T?>(new T());
        }
    }
}
