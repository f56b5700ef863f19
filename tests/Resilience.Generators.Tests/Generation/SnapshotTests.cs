using Resilience.Generators.Tests.Infrastructure;

namespace Resilience.Generators.Tests.Generation;

/// <summary>
/// The generated code of each attribute, the full stack and each signature shape, compared with the committed
/// snapshots in Snapshots/. Each case must also compile without a single warning.
/// </summary>
public sealed class SnapshotTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        """;

    public static TheoryData<string, string> Cases => new()
    {
        { "Retry", """
            namespace Shop;
            public partial class Client
            {
                [Retry(4, DelayMs = 100, MaxDelayMs = 1_000, Backoff = BackoffKind.Linear, Jitter = false, Handle = new[] { typeof(TimeoutException), typeof(System.IO.IOException) }, Ignore = new[] { typeof(System.IO.FileNotFoundException) }, ShouldRetry = nameof(IsTransient), OnRetry = nameof(Log))]
                public partial Task<int> GetAsync(string id, CancellationToken ct);
                private Task<int> GetAsyncCore(string id, CancellationToken ct) => Task.FromResult(1);
                private static bool IsTransient(Exception e) => true;
                private void Log(Exception e, int attempt, TimeSpan delay) { }
            }
            """ },
        { "CircuitBreaker", """
            namespace Shop;
            public partial class Client
            {
                [CircuitBreaker(3, FailureRatio = 0.5, MinimumThroughput = 20, SamplingDurationMs = 10_000, BreakDurationMs = 5_000, SuccessThreshold = 2, HalfOpenMaxCalls = 2, Name = "inventory", Distributed = true, Handle = new[] { typeof(TimeoutException) })]
                public partial int Count(string sku);
                private int CountCore(string sku) => 1;
            }
            """ },
        { "StartAnswers", """
            namespace Shop;
            public partial class Client
            {
                // An open breaker answered by the fallback in the synchronous start, for the returns other than Task<T>.
                [CircuitBreaker(3, Name = "answers")]
                [Fallback(nameof(Zero))]
                public partial ValueTask<int> CountAsync(string sku);
                private ValueTask<int> CountAsyncCore(string sku) => new(1);
                private int Zero(string sku) => 0;

                [CircuitBreaker(3, Name = "answers")]
                [Fallback(nameof(Skip))]
                public partial Task SaveAsync(string sku);
                private Task SaveAsyncCore(string sku) => Task.CompletedTask;
                private void Skip(string sku) { }

                [CircuitBreaker(3, Name = "answers")]
                [Fallback(nameof(Skip))]
                public partial ValueTask PingAsync(string sku);
                private ValueTask PingAsyncCore(string sku) => default;

                // A fallback that is asynchronous itself.
                [Retry(2)]
                [Fallback(nameof(FromCacheAsync))]
                public partial Task<int> GetAsync(string sku, CancellationToken ct);
                private Task<int> GetAsyncCore(string sku, CancellationToken ct) => Task.FromResult(1);
                private Task<int> FromCacheAsync(string sku, CancellationToken ct) => Task.FromResult(0);

                // A result judged by the breaker alone; by a retry and a breaker that judge differently; by hedging and a retry.
                [CircuitBreaker(3, Name = "judged", HandleResult = nameof(IsNegative))]
                public partial int Measure(string sku);
                private int MeasureCore(string sku) => 1;

                [Retry(2, HandleResult = nameof(IsNegative))]
                [CircuitBreaker(3, Name = "judged-twice", HandleResult = nameof(IsZero))]
                public partial int Weigh(string sku);
                private int WeighCore(string sku) => 1;

                [Hedging(2, DelayMs = 50, HandleResult = nameof(IsZero))]
                [Retry(2, HandleResult = nameof(IsNegative))]
                [Idempotent]
                public partial Task<int> PriceAsync(string sku, CancellationToken ct);
                private Task<int> PriceAsyncCore(string sku, CancellationToken ct) => Task.FromResult(1);

                private static bool IsNegative(int value) => value < 0;
                private static bool IsZero(int value) => value == 0;

                // A total timeout started before the breaker: when the open breaker's fallback answers at once, the
                // timeout's source is given back first.
                [Timeout(1_000, Scope = TimeoutScope.Total)]
                [CircuitBreaker(3, Name = "first")]
                [Fallback(nameof(Zero))]
                public partial ValueTask<int> ReserveAsync(string sku, CancellationToken ct);
                private ValueTask<int> ReserveAsyncCore(string sku, CancellationToken ct) => new(1);
                private int Zero(string sku, CancellationToken ct) => 0;
            }
            """ },
        { "JudgesAndTokens", """
            namespace Shop;
            public sealed record Quote(decimal Price);
            public sealed class Lease : IDisposable { public void Dispose() { } }
            public partial class Client
            {
                private static bool IsNegative(int value) => value < 0;
                private static bool IsZero(int value) => value == 0;
                private static bool IsOdd(int value) => value % 2 != 0;

                // Which judge decides that a result fails, for the cached fallback: its own, else the fallback's, the
                // hedging's, the retry's, the breaker's.
                [CachedFallback(60_000, HandleResult = nameof(IsOdd))]
                [Retry(2, HandleResult = nameof(IsNegative))]
                public partial int Own(int id);
                private int OwnCore(int id) => id;

                [CachedFallback(60_000)]
                [Retry(2, HandleResult = nameof(IsNegative))]
                [Fallback(nameof(Minus), HandleResult = nameof(IsZero))]
                public partial int Fallen(int id);
                private int FallenCore(int id) => id;
                private int Minus(int id) => -1;

                [CachedFallback(60_000)]
                [Hedging(2, DelayMs = 50, HandleResult = nameof(IsZero))]
                [Retry(2, HandleResult = nameof(IsNegative))]
                [Idempotent]
                public partial Task<int> HedgedAsync(int id, CancellationToken ct);
                private Task<int> HedgedAsyncCore(int id, CancellationToken ct) => Task.FromResult(id);

                [CachedFallback(60_000)]
                [Retry(2, HandleResult = nameof(IsNegative))]
                [CircuitBreaker(3, Name = "judges", HandleResult = nameof(IsZero))]
                public partial int Retried(int id);
                private int RetriedCore(int id) => id;

                [CachedFallback(60_000)]
                [CircuitBreaker(3, Name = "judges-breaker", HandleResult = nameof(IsZero))]
                public partial int Broken(int id);
                private int BrokenCore(int id) => id;

                // A failed result that may be disposable, let go of when a kept result answers.
                [CachedFallback(60_000, HandleResult = nameof(IsSpent))]
                public partial object Rent(int id);
                private object RentCore(int id) => id;
                private static bool IsSpent(object result) => result is Lease;

                // A result judged a failure is not kept for the idempotency key: its claim is abandoned.
                [Idempotent]
                [Retry(2, HandleResult = nameof(IsFree))]
                public partial Task<Quote> QuoteAsync([IdempotencyKey] string requestId, CancellationToken ct);
                private Task<Quote> QuoteAsyncCore(string requestId, CancellationToken ct) => Task.FromResult(new Quote(1m));
                private static bool IsFree(Quote quote) => quote.Price == 0m;

                // A policy name with a quote, a backslash and a line break, written into string literals.
                [CircuitBreaker(3, Name = "odd \"name\" \\ with\r\na break")]
                public partial int Odd(int id);
                private int OddCore(int id) => id;

                // Exceptions left alone: more than one.
                [Retry(3, Ignore = new[] { typeof(ArgumentException), typeof(InvalidOperationException) })]
                public partial int Parse(string text);
                private int ParseCore(string text) => 1;
            }

            public partial struct Meter
            {
                // A readonly member: its helper is readonly too, or the compiler copies the struct (CS8656).
                [Retry(2)]
                public readonly partial Task<int> ReadAsync(CancellationToken ct);
                private readonly Task<int> ReadAsyncCore(CancellationToken ct) => Task.FromResult(1);

                // And the hedged attempt's method.
                [Hedging(2, DelayMs = 50)]
                [Idempotent]
                public readonly partial Task<int> SampleAsync(CancellationToken ct);
                private readonly Task<int> SampleAsyncCore(CancellationToken ct) => Task.FromResult(1);
            }
            """ },
        { "RetryBudget", """
            namespace Shop;
            public partial class Client
            {
                [Retry(3, DelayMs = 100, MaxRetryRatio = 0.1)]
                [CircuitBreaker(5, Name = "orders", SlowCallDurationMs = 2_000, SlowCallRatio = 0.5, MaxBreakDurationMs = 240_000)]
                public partial Task<int> GetAsync(string id, CancellationToken ct);
                private Task<int> GetAsyncCore(string id, CancellationToken ct) => Task.FromResult(1);

                [Retry(2, MaxRetryRatio = 0.2, HandleResult = nameof(IsNegative))]
                public partial int Count(string sku);
                private int CountCore(string sku) => 1;
                private static bool IsNegative(int value) => value < 0;
            }
            """ },
        { "Timeout", """
            namespace Shop;
            public partial class Client
            {
                [Timeout(1_500)]
                public partial ValueTask<string> ReadAsync(CancellationToken ct);
                private ValueTask<string> ReadAsyncCore(CancellationToken ct) => new("x");

                [Timeout(5_000, Scope = TimeoutScope.Total)]
                public partial Task WriteAsync(string value, CancellationToken ct);
                private Task WriteAsyncCore(string value, CancellationToken ct) => Task.CompletedTask;
            }
            """ },
        { "Bulkhead", """
            namespace Shop;
            public partial class Client
            {
                [Bulkhead(4, MaxQueue = 10, MaxWaitMs = 500, Name = "db")]
                public partial Task<int> QueryAsync(string sql, CancellationToken ct);
                private Task<int> QueryAsyncCore(string sql, CancellationToken ct) => Task.FromResult(0);
            }
            """ },
        { "RateLimit", """
            namespace Shop;
            public partial class Client
            {
                [RateLimit(100, 60_000, Algorithm = RateLimitAlgorithm.SlidingWindow, QueueLimit = 5)]
                public partial Task SendAsync(string message, CancellationToken ct);
                private Task SendAsyncCore(string message, CancellationToken ct) => Task.CompletedTask;

                [RateLimit(10, 1_000, Name = "per-user", Distributed = true)]
                public partial int Search([RateLimitKey] string? user, string query);
                private int SearchCore(string? user, string query) => 0;
            }
            """ },
        { "Fallback", """
            namespace Shop;
            public partial class Client
            {
                [Fallback(nameof(Cached))]
                public partial Task<string> GetAsync(string id, CancellationToken ct);
                private Task<string> GetAsyncCore(string id, CancellationToken ct) => Task.FromResult(id);
                private string Cached(string id, CancellationToken ct, Exception error) => "cached";

                [Fallback(nameof(Nothing), Handle = new[] { typeof(TimeoutException) })]
                public partial void Ping();
                private void PingCore() { }
                private void Nothing() { }

                [Fallback(nameof(Zero))]
                public partial int Count();
                private int CountCore() => 1;
                private int Zero() => 0;
            }
            """ },
        { "CachedFallback", """
            namespace Shop;
            public enum Region { Europe, Asia }
            public partial class Client
            {
                [Retry(2, DelayMs = 50, Jitter = false)]
                [CircuitBreaker(5, Name = "prices")]
                [RateLimit(100, 1_000)]
                [CachedFallback(300_000, MaxEntries = 500)]
                [Fallback(nameof(Unknown))]
                public partial Task<string> GetAsync(string id, Region? region, CancellationToken ct);
                private Task<string> GetAsyncCore(string id, Region? region, CancellationToken ct) => Task.FromResult(id);
                private string Unknown(string id, Region? region, CancellationToken ct, Exception error) => "unknown";

                [CachedFallback(1_000, HandleResult = nameof(IsNegative), Handle = new[] { typeof(TimeoutException) })]
                public partial int Count(Guid id, long version);
                private int CountCore(Guid id, long version) => 1;
                private static bool IsNegative(int result) => result < 0;

                [Bulkhead(2)]
                [CachedFallback(60_000)]
                public partial ValueTask<decimal> PriceAsync();
                private ValueTask<decimal> PriceAsyncCore() => new(1m);
            }
            """ },
        { "Hedging", """
            namespace Shop;
            public partial class Client
            {
                [Hedging(3, DelayMs = 200, HandleResult = nameof(IsEmpty))]
                [Retry(2, DelayMs = 50, Jitter = false)]
                [CircuitBreaker(5, Name = "search")]
                [Timeout(1_000)]
                [RateLimit(100, 1_000)]
                [Fallback(nameof(Nothing))]
                [Idempotent]
                public partial Task<string> SearchAsync(string query, CancellationToken ct);
                private Task<string> SearchAsyncCore(string query, CancellationToken ct) => Task.FromResult(query);
                private static bool IsEmpty(string result) => result.Length == 0;
                private string Nothing(string query, CancellationToken ct) => "";

                [Hedging(2, DelayMs = 0)]
                [Timeout(5_000, Scope = TimeoutScope.Total)]
                [Idempotent]
                public partial ValueTask PingAsync(CancellationToken ct);
                private ValueTask PingAsyncCore(CancellationToken ct) => default;

                [Hedging(DelayMs = Timeout.Infinite)]
                [Idempotent]
                public partial Task<int> CountAsync();
                private Task<int> CountAsyncCore() => Task.FromResult(1);
            }
            """ },
        { "FullStack", """
            namespace Shop;
            public sealed record Receipt(string Id);
            public partial class PaymentsClient
            {
                [Fallback(nameof(CachedReceipt))]
                [Timeout(2_000)]
                [CircuitBreaker(5, BreakDurationMs = 30_000, Name = "payments")]
                [Retry(3, DelayMs = 200, Backoff = BackoffKind.Exponential)]
                [Bulkhead(8, MaxQueue = 16)]
                [RateLimit(50, 1_000)]
                [Idempotent]
                public partial Task<Receipt> GetReceiptAsync(string id, CancellationToken ct);
                private Task<Receipt> GetReceiptAsyncCore(string id, CancellationToken ct) => Task.FromResult(new Receipt(id));
                private Receipt CachedReceipt(string id, CancellationToken ct, Exception error) => new(id);
            }
            """ },
        { "Results", """
            namespace Shop;
            using System.Net.Http;
            public partial class Client
            {
                [Retry(3, DelayMs = 100, OnRetry = nameof(Log))]
                [CircuitBreaker(5, Name = "upstream")]
                [Fallback(nameof(Unavailable))]
                public partial Task<HttpResponseMessage> GetAsync(string path, CancellationToken ct);
                private Task<HttpResponseMessage> GetAsyncCore(string path, CancellationToken ct) => Task.FromResult(new HttpResponseMessage());
                private void Log(Outcome<HttpResponseMessage> outcome, int attempt, TimeSpan delay) { }
                private HttpResponseMessage Unavailable(string path, CancellationToken ct, Outcome<HttpResponseMessage> outcome) => new(System.Net.HttpStatusCode.ServiceUnavailable);

                [Retry(4, HandleResult = nameof(IsNegative))]
                [Fallback(nameof(Zero), HandleResult = nameof(IsNegative))]
                public partial int Parse(string text);
                private int ParseCore(string text) => int.Parse(text);
                private static bool IsNegative(int value) => value < 0;
                private int Zero(string text, Exception error) => 0;
            }
            """ },
        { "HttpResultShapes", """
            namespace Shop;
            using System.Net.Http;
            public partial class Client
            {
                // A response judged by its status (and disposed when retried) in a synchronous method and a ValueTask<T> one.
                [Retry(3, DelayMs = 100)]
                [CircuitBreaker(5, Name = "upstream", HonorRetryAfter = true)]
                [Fallback(nameof(Unavailable))]
                public partial HttpResponseMessage Get(string path);
                private HttpResponseMessage GetCore(string path) => new();
                private HttpResponseMessage Unavailable(string path, Outcome<HttpResponseMessage> outcome) => new(System.Net.HttpStatusCode.ServiceUnavailable);

                [Retry(3, DelayMs = 100)]
                [CircuitBreaker(5, Name = "upstream", HonorRetryAfter = true)]
                public partial ValueTask<HttpResponseMessage> GetAsync(string path, CancellationToken ct);
                private ValueTask<HttpResponseMessage> GetAsyncCore(string path, CancellationToken ct) => new(new HttpResponseMessage());
            }
            """ },
        { "DelayGenerator", """
            namespace Shop;
            using System.Net.Http;
            public partial class Client
            {
                [Retry(3, DelayGenerator = nameof(Wait), HandleResult = nameof(IsEmpty))]
                [Timeout(5_000, Scope = TimeoutScope.Total)]
                public partial Task<string> FindAsync(string id, CancellationToken ct);
                private Task<string> FindAsyncCore(string id, CancellationToken ct) => Task.FromResult(id);
                private static bool IsEmpty(string value) => value.Length == 0;
                private static TimeSpan? Wait(Outcome<string> outcome, int attempt) => outcome.Exception is null ? TimeSpan.FromMilliseconds(10 * attempt) : null;

                [Retry(3, DelayGenerator = nameof(WaitForHost))]
                [Timeout(5_000, Scope = TimeoutScope.Total)]
                public partial Task<HttpResponseMessage> GetAsync(string path, CancellationToken ct);
                private Task<HttpResponseMessage> GetAsyncCore(string path, CancellationToken ct) => Task.FromResult(new HttpResponseMessage());
                private static TimeSpan? WaitForHost(Outcome<HttpResponseMessage> outcome, int attempt) => null;

                [Retry(3, DelayGenerator = nameof(WaitAfter))]
                public partial void Send(string message);
                private void SendCore(string message) { }
                private static TimeSpan? WaitAfter(Exception error, int attempt) => null;
            }
            """ },
        { "HttpHandler", """
            namespace Shop;
            using System.Net.Http;
            public sealed partial class CatalogHandler : DelegatingHandler
            {
                [Retry(3, DelayMs = 200)]
                [CircuitBreaker(5, Name = "catalog", HonorRetryAfter = true)]
                [Timeout(2_000)]
                protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);
                private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);
            }
            """ },
        { "SyncShapes", """
            namespace Shapes;
            public static partial class Math2
            {
                [Retry(2)]
                public static partial void Touch(in int value, params string[] tags);
                private static void TouchCore(in int value, params string[] tags) { }

                [Retry(2)]
                internal static partial long Sum(int a, int b = 2, int? c = null);
                private static long SumCore(int a, int b, int? c) => a + b;
            }
            """ },
        { "AsyncShapes", """
            namespace Shapes;
            public partial class Io
            {
                [Retry(2)] protected partial Task FlushAsync(CancellationToken ct);
                private Task FlushAsyncCore(CancellationToken ct) => Task.CompletedTask;

                [Retry(2)] private protected partial ValueTask CloseAsync();
                private ValueTask CloseAsyncCore() => default;

                [Retry(2)] protected internal partial ValueTask<byte[]?> ReadAsync(CancellationToken ct, int count, string? path = null);
                private ValueTask<byte[]?> ReadAsyncCore(CancellationToken ct, int count, string? path) => new((byte[]?)null);
            }
            """ },
        { "GenericAndNested", """
            namespace Shapes.Deep;
            public partial class Outer<TOuter> where TOuter : class
            {
                public partial record Repository<TKey>
                {
                    [RateLimit(100, 1_000)]
                    public partial bool Touch([RateLimitKey] TKey key);
                    private bool TouchCore(TKey key) => true;

                    [Timeout(100)]
                    public partial Task<TValue> GetAsync<TValue>(TKey key, CancellationToken ct) where TValue : struct, IComparable<TValue>;
                    private Task<TValue> GetAsyncCore<TValue>(TKey key, CancellationToken ct) where TValue : struct, IComparable<TValue> => Task.FromResult(default(TValue));
                }

                internal partial struct Counter
                {
                    [RateLimit(5, 100)]
                    public partial int Next<T>([RateLimitKey] T key) where T : notnull;
                    private int NextCore<T>(T key) where T : notnull => 0;
                }
            }
            """ },
        { "Idempotency", """
            namespace Shop;
            public sealed record Receipt(string Id, decimal Amount);
            public partial class Payments
            {
                [Idempotent(TtlMs = 3_600_000)]
                [Retry(3, DelayMs = 100, Jitter = false)]
                [RateLimit(10, 1_000)]
                [Fallback(nameof(Declined))]
                public partial Task<Receipt> ChargeAsync([IdempotencyKey] string requestId, decimal amount, CancellationToken ct);
                private Task<Receipt> ChargeAsyncCore(string requestId, decimal amount, CancellationToken ct) => Task.FromResult(new Receipt(requestId, amount));
                private Receipt Declined(string requestId, decimal amount, CancellationToken ct) => new("declined", 0m);

                [Idempotent]
                public partial ValueTask SendAsync([IdempotencyKey] Guid messageId, string text, CancellationToken ct);
                private ValueTask SendAsyncCore(Guid messageId, string text, CancellationToken ct) => default;

                [Idempotent]
                public partial int Reserve([IdempotencyKey] long orderId);
                private int ReserveCore(long orderId) => 1;
            }
            """ },
        { "NamesAndContainers", """
            #nullable enable
            namespace Shop.Names;
            // Lowercase type names (re-declared with '@', as the compiler warns of them otherwise), at both ends of a-z.
            public partial class zebra
            {
                // Contextual keywords as parameter names, and an overload (its shared state is keyed apart).
                [Retry(2, DelayMs = 0)]
                public partial int Find(string record, int var, string async, string nameof);
                private int FindCore(string record, int var, string async, string nameof) => var;

                [Retry(2, DelayMs = 0)]
                public partial int Find(int id);
                private int FindCore(int id) => id;

                [Retry(2, DelayMs = 0)]
                public partial int Find(int id, int page);
                private int FindCore(int id, int page) => id;

                // A dynamic parameter of an async method: passed on as object, so that the helper's call is bound statically.
                [Retry(2, DelayMs = 0)]
                public partial Task<int> SendAsync(dynamic payload, CancellationToken ct);
                private Task<int> SendAsyncCore(dynamic payload, CancellationToken ct) => Task.FromResult(1);

                public partial class antelope
                {
                    [Timeout(100)]
                    public partial Task<T?> GetAsync<T>(CancellationToken ct) where T : class?;
                    private Task<T?> GetAsyncCore<T>(CancellationToken ct) where T : class? => Task.FromResult<T?>(null);
                }
            }

            public readonly partial struct Meter
            {
                [Retry(2, DelayMs = 0)]
                public partial int Read();
                private int ReadCore() => 1;
            }

            public ref partial struct Cursor
            {
                [Retry(2, DelayMs = 0)]
                public partial int Next();
                private int NextCore() => 1;
            }

            public readonly ref partial struct Window
            {
                [Retry(2, DelayMs = 0)]
                public partial int Width();
                private int WidthCore() => 1;
            }

            public partial record struct Price(decimal Amount)
            {
                [Retry(2, DelayMs = 0)]
                public partial decimal Total(int count);
                private decimal TotalCore(int count) => Amount * count;
            }

            // Members of the user's that start with the generated names' prefix, in the type and in its base: the
            // generated names take a longer prefix that none of them starts with.
            public class Ledger
            {
                protected int __legacy = 1;
            }

            public partial class Account : Ledger
            {
                private int ___older = 1;

                [Retry(2, DelayMs = 0)]
                public partial int Balance();
                private int BalanceCore() => __legacy + ___older;
            }

            // A class nested in an interface: the interface is declared again around it.
            public partial interface ICatalog
            {
                public partial class Local
                {
                    [Retry(2, DelayMs = 0)]
                    public partial int Count();
                    private int CountCore() => 1;
                }
            }
            """ },
        { "FallbackHandles", """
            namespace Shop;
            public partial class Client
            {
                // Handle names the rejection's base: the open breaker's rejection is answered by the fallback.
                [CircuitBreaker(3, Name = "handles-base")]
                [Fallback(nameof(Zero), Handle = new[] { typeof(ResilienceRejectedException) })]
                public partial int Count(string sku);
                private int CountCore(string sku) => 1;

                // Handle names another failure only: the rejection reaches the caller.
                [CircuitBreaker(3, Name = "handles-other")]
                [Fallback(nameof(Zero), Handle = new[] { typeof(System.IO.IOException) })]
                public partial int Stock(string sku);
                private int StockCore(string sku) => 1;

                // A bulkhead's and a rate limit's rejections, each named by Handle (and the other not).
                [Bulkhead(2, Name = "handles-bulkhead")]
                [Fallback(nameof(Zero), Handle = new[] { typeof(BulkheadRejectedException) })]
                public partial int Reserve(string sku);
                private int ReserveCore(string sku) => 1;

                [RateLimit(5, 1_000, Name = "handles-limit")]
                [Fallback(nameof(Zero), Handle = new[] { typeof(RateLimitRejectedException) })]
                public partial int Quote(string sku);
                private int QuoteCore(string sku) => 1;

                [RateLimit(5, 1_000, Name = "handles-limit-not")]
                [Fallback(nameof(Zero), Handle = new[] { typeof(BulkheadRejectedException) })]
                public partial int Price(string sku);
                private int PriceCore(string sku) => 1;

                private int Zero(string sku) => 0;
            }
            """ },
        { "GlobalNamespace", """
            public partial class Global
            {
                [Retry]
                public partial int @class(int @event);
                private int @classCore(int @event) => @event;
            }
            """ },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_code_matches_the_snapshot_and_compiles_without_warnings(string name, string source)
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + source);

        Assert.True(outcome.GeneratedCodeDiagnostics.Count == 0, "Diagnostics:\n" + string.Join("\n", outcome.GeneratedCodeDiagnostics));
        Assert.NotEmpty(outcome.Sources);
        Snapshot.Match(name, string.Join("\n", outcome.Sources.Select(s => $"// ---- {s.HintName} ----\n{s.Text}")));
    }

    [Fact]
    public void Every_generated_file_is_marked_generated_but_the_users_method_is_not()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + """
            namespace A { public partial class X { [Retry] [CircuitBreaker] public partial Task<int> M(); private Task<int> MCore() => Task.FromResult(1); } }
            namespace B { public partial class Y { [Retry] public partial int M(); private int MCore() => 1; } }
            """);

        Assert.Equal(new[] { "A.X.g.cs", "B.Y.g.cs", "Resilience.Generated.ResiliencePolicies.g.cs" }, outcome.Sources.Select(s => s.HintName));
        Assert.All(outcome.Sources, s => Assert.StartsWith("// <auto-generated/>\n#nullable enable\n", s.Text));
        Assert.Contains("[global::System.CodeDom.Compiler.GeneratedCode(\"Resilience.Generators\"", outcome.Sources[0].Text);

        // The attributes of both parts of a partial method merge: marking the implementation would hide the
        // user's own method from every analyzer that skips generated code.
        foreach (string type in new[] { "A.X", "B.Y" })
        {
            Microsoft.CodeAnalysis.ISymbol method = outcome.Output.GetTypeByMetadataName(type)!.GetMembers("M").Single();
            Assert.DoesNotContain(method.GetAttributes(), a => a.AttributeClass?.Name == "GeneratedCodeAttribute");
        }
    }

    [Fact]
    public void Two_runs_produce_the_same_bytes()
    {
        string source = Usings + Cases.Select(c => (string)c[1]).Last();
        Assert.Equal(GeneratorHarness.Run(source).Sources, GeneratorHarness.Run(source).Sources);
    }
}
