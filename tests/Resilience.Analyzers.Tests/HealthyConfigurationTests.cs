using Microsoft.CodeAnalysis.Testing;
using Resilience.Analyzers.Tests.Infrastructure;
using Resilience.Generators;

namespace Resilience.Analyzers.Tests;

/// <summary>No analyzer reports what is right: the README's example, the sample, every shape the generator supports.</summary>
public sealed class HealthyConfigurationTests
{
    [Fact]
    public Task The_README_example_is_clean()
        => VerifyAll.AnalyzerAsync(
            """
            using System.Net.Http.Json;

            public sealed record Receipt(string Id);

            public partial class PaymentsClient(HttpClient http)
            {
                [Retry(3, DelayMs = 200, Backoff = BackoffKind.Exponential)]
                [CircuitBreaker(5, BreakDurationMs = 30_000, Name = "payments")]
                [Timeout(2_000)]
                [Fallback(nameof(CachedReceipt))]
                [Idempotent]
                public partial Task<Receipt> GetReceiptAsync(string id, CancellationToken ct);

                private async Task<Receipt> GetReceiptAsyncCore(string id, CancellationToken ct)
                    => (await http.GetFromJsonAsync<Receipt>($"receipts/{id}", ct))!;

                private Receipt CachedReceipt(string id, CancellationToken ct, Exception error) => new(id);
            }
            """);

    [Fact]
    public Task The_sample_is_clean()
        => VerifyAll.AnalyzerAsync(
            """
            public sealed partial class InventoryClient(HttpClient inventory)
            {
                [Retry(3, DelayMs = 100, Backoff = BackoffKind.Exponential, Jitter = false, OnRetry = nameof(LogRetry))]
                [CircuitBreaker(3, BreakDurationMs = 1_000, Name = "inventory")]
                [Timeout(300)]
                [Fallback(nameof(CachedStock))]
                [Idempotent]
                public partial Task<int> GetStockAsync(string sku, CancellationToken ct = default);

                [Bulkhead(2)]
                [RateLimit(5, 1_000, Algorithm = RateLimitAlgorithm.FixedWindow)]
                public partial Task<decimal> GetPriceAsync(string sku, CancellationToken ct = default);

                private async Task<int> GetStockAsyncCore(string sku, CancellationToken ct) => int.Parse(await inventory.GetStringAsync("stock/" + sku, ct));

                private async Task<decimal> GetPriceAsyncCore(string sku, CancellationToken ct)
                {
                    await Task.Delay(200, ct);
                    return 9.99m;
                }

                private static int CachedStock(string sku, CancellationToken ct, Exception error) => 40;

                private static void LogRetry(Exception error, int attempt, TimeSpan delay) { }
            }
            """);

    [Fact]
    public Task Every_supported_shape_is_clean()
        => VerifyAll.AnalyzerAsync(
            """
            public sealed class Receipt(string id) { public string Id { get; } = id; }

            public partial class PaymentsClient(HttpClient http)
            {
                [Retry(3, DelayMs = 200, Handle = new[] { typeof(HttpRequestException), typeof(TimeoutRejectedException) })]
                [CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 20, SamplingDurationMs = 10_000, BreakDurationMs = 5_000)]
                [Timeout(2_000)]
                [Fallback(nameof(CachedReceipt))]
                [Bulkhead(8, MaxQueue = 4, MaxWaitMs = 1_000)]
                [RateLimit(100, 1_000)]
                [Idempotent]
                public partial Task<Receipt> ChargeAsync(string idempotencyKey, CancellationToken ct);

                private async Task<Receipt> ChargeAsyncCore(string idempotencyKey, CancellationToken ct)
                {
                    using var response = await http.PostAsync("charges/" + idempotencyKey, null, ct);
                    return new Receipt(idempotencyKey);
                }

                private Receipt CachedReceipt(string id, CancellationToken ct, Exception error) => new("cached-" + id);

                [Retry(2)] [Timeout(500, Scope = TimeoutScope.Total)]
                public partial ValueTask<int> CountAsync(CancellationToken ct = default);
                private ValueTask<int> CountAsyncCore(CancellationToken ct) => new(1);

                [Retry(2)] [Bulkhead(1)]
                internal partial void Touch(in int value, params string[] tags);
                private void TouchCore(in int value, params string[] tags) { }

                [RateLimit(10, 1_000)]
                protected static partial string? Find(CancellationToken first, [RateLimitKey] string? user, int page = 1);
                private static string? FindCore(CancellationToken first, string? user, int page) => user;

                [CircuitBreaker(FailureRatio = 0.5)]
                private partial Task SendAsync(byte[] payload);
                private Task SendAsyncCore(byte[] payload) => Task.CompletedTask;

                [Retry(4, Ignore = new[] { typeof(ArgumentException) }, ShouldRetry = nameof(Transient))]
                [Timeout(100)]
                public partial Task<string> GetPageAsync(string url, CancellationToken ct);
                private Task<string> GetPageAsyncCore(string url, CancellationToken ct) => http.GetStringAsync(url, ct);
                private static bool Transient(Exception error) => error is HttpRequestException;
            }

            public static partial class Generic<TOwner> where TOwner : class
            {
                public partial class Nested
                {
                    [Timeout(100)] [Retry(2)]
                    public partial Task<T?> GetAsync<T>(TOwner owner, CancellationToken ct) where T : class, new();
                    private Task<T?> GetAsyncCore<T>(TOwner owner, CancellationToken ct) where T : class, new() => Task.FromResult<T?>(new T());
                }
            }
            """);

    [Fact]
    public Task Several_smells_on_one_method_are_each_reported_once()
        => VerifyAll.AnalyzerAsync(
            """
            public partial class Payments
            {
                [{|#0:Retry({|#2:5|}, DelayMs = 1_000, Backoff = BackoffKind.Constant, Handle = new[] { {|#4:typeof(Exception)|} })|}]
                [{|#1:Timeout({|#3:500|}, Scope = TimeoutScope.Total)|}]
                public partial Task ChargeAsync(decimal amount);
                private Task ChargeAsyncCore(decimal amount) => Task.CompletedTask;
            }
            """,
            new DiagnosticResult(DiagnosticDescriptors.NonIdempotentRetry).WithLocation(0).WithArguments("ChargeAsync", "its name says it changes state ('Charge')", "retried", "[Retry]"),
            new DiagnosticResult(DiagnosticDescriptors.TimeoutWithoutCancellationToken).WithLocation(1).WithArguments("ChargeAsync"),
            new DiagnosticResult(DiagnosticDescriptors.RetryBeyondTotalTimeout).WithLocation(2).WithLocation(3)
                .WithArguments("5", "1 000", "4 000", "500", "attempts 2–5 can never run"),
            new DiagnosticResult(DiagnosticDescriptors.RetryOfPermanentFailure).WithLocation(4)
                .WithArguments("is Exception with no Ignore, so it also retries failures that never heal, such as ArgumentException and NullReferenceException", "name the transient exceptions instead, or list the permanent ones in Ignore"));
}
