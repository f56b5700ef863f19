using Microsoft.CodeAnalysis.Testing;
using Resilience.Generators;
using V = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.TimeoutCancellationAnalyzer>;

namespace Resilience.Analyzers.Tests;

/// <summary>RES0101 (a timeout on a method without a CancellationToken) and RES0105 (a token {Name}Core never uses).</summary>
public sealed class TimeoutCancellationTests
{
    private static DiagnosticResult NoToken(int location, string method)
        => V.Diagnostic(DiagnosticDescriptors.TimeoutWithoutCancellationToken).WithLocation(location).WithArguments(method);

    private static DiagnosticResult Unused(string method, string token)
        => V.Diagnostic(DiagnosticDescriptors.TimeoutTokenNotUsed).WithLocation(0).WithLocation(1).WithArguments(method, method + "Core", token);

    [Fact]
    public Task RES0101_a_timeout_without_a_token_is_reported_on_the_Timeout_attribute()
        => V.AnalyzerAsync(
            """
            public partial class Stock
            {
                [Retry(3)]
                [{|#0:Timeout(2_000)|}]
                public partial Task<int> GetStockAsync(string sku);
                private Task<int> GetStockAsyncCore(string sku) => Task.FromResult(1);
            }
            """,
            NoToken(0, "GetStockAsync").WithMessage(
                "'GetStockAsync' has a timeout but no CancellationToken parameter, so the timeout cannot cancel 'GetStockAsyncCore', which runs as long as it takes; "
                + "add a CancellationToken parameter to 'GetStockAsync' and 'GetStockAsyncCore' and pass it on"));

    [Fact]
    public Task RES0101_a_total_timeout_and_a_synchronous_method_are_reported_too()
        => V.AnalyzerAsync(
            """
            public partial class Stock
            {
                [{|#0:Timeout(500, Scope = TimeoutScope.Total)|}, Retry]
                public partial int Count();
                private int CountCore() => 1;

                [{|#1:Timeout(100)|}]
                public static partial void Flush(CancellationToken? maybe);
                private static void FlushCore(CancellationToken? maybe) { }
            }
            """,
            NoToken(0, "Count"),
            NoToken(1, "Flush"));

    [Theory]
    [InlineData("CancellationToken ct, string sku")]
    [InlineData("string sku, CancellationToken ct = default")]
    [InlineData("string sku, CancellationToken ct, params int[] more")]
    public Task RES0101_a_token_anywhere_in_the_list_is_enough(string parameters)
        => V.AnalyzerAsync(
            $$"""
            public partial class Stock
            {
                [Timeout(2_000)]
                public partial Task<int> GetStockAsync({{parameters}});
            }
            """);

    [Fact]
    public Task RES0101_no_timeout_no_report()
        => V.AnalyzerAsync(
            """
            public partial class Stock
            {
                [Retry]
                public partial Task<int> GetStockAsync(string sku);
                private Task<int> GetStockAsyncCore(string sku) => Task.FromResult(1);
            }
            """);

    [Fact]
    public Task RES0105_a_core_that_awaits_without_its_token_is_reported_on_the_parameter()
        => V.AnalyzerAsync(
            """
            public partial class Stock
            {
                [{|#1:Timeout(2_000)|}]
                public partial Task<int> GetStockAsync(string sku, CancellationToken ct);

                private async Task<int> GetStockAsyncCore(string sku, CancellationToken {|#0:ct|})
                {
                    await Task.Delay(100);
                    return 1;
                }
            }
            """,
            Unused("GetStockAsync", "ct").WithMessage(
                "'GetStockAsync' has a timeout, but 'GetStockAsyncCore' never uses its CancellationToken 'ct', so the timeout cannot cancel it; pass 'ct' on to the calls it makes"));

    [Fact]
    public Task RES0105_a_core_that_calls_a_cancellable_method_without_the_token_is_reported()
        => V.AnalyzerAsync(
            """
            public partial class Pages(HttpClient http)
            {
                [{|#1:Timeout(2_000)|}, Retry]
                public partial Task<string> GetPageAsync(CancellationToken first, string url);
                private Task<string> GetPageAsyncCore(CancellationToken {|#0:first|}, string url) => http.GetStringAsync(url);
            }
            """,
            Unused("GetPageAsync", "first"));

    [Theory]
    [InlineData("=> http.GetStringAsync(url, ct);")]
    [InlineData("=> Task.Run(() => http.GetStringAsync(url, ct));")]
    [InlineData("{ ct.ThrowIfCancellationRequested(); return Task.FromResult(url); }")]
    [InlineData("=> Task.FromResult(url);")]
    [InlineData("=> throw new NotImplementedException();")]
    public Task RES0105_a_core_that_uses_its_token_or_has_nothing_to_cancel_is_not_reported(string body)
        => V.AnalyzerAsync(
            $$"""
            public partial class Pages(HttpClient http)
            {
                [Timeout(2_000)]
                public partial Task<string> GetPageAsync(string url, CancellationToken ct);
                private Task<string> GetPageAsyncCore(string url, CancellationToken ct) {{body}}
            }
            """);

    [Fact]
    public Task RES0105_a_method_named_like_the_core_that_does_not_match_it_is_not_the_core()
        => V.AnalyzerAsync(
            """
            public partial class Stock
            {
                [Timeout(2_000)]
                public partial Task<int> GetStockAsync(string sku, CancellationToken ct);

                // Not the implementation the generated code calls: it returns ValueTask<int> (the generator reports RES0002).
                private async ValueTask<int> GetStockAsyncCore(string sku, CancellationToken ct)
                {
                    await Task.Delay(100);
                    return 1;
                }
            }
            """);

    [Fact]
    public Task RES0105_without_a_timeout_an_unused_token_is_not_reported()
        => V.AnalyzerAsync(
            """
            public partial class Stock
            {
                [Retry]
                public partial Task<int> GetStockAsync(CancellationToken ct);
                private async Task<int> GetStockAsyncCore(CancellationToken ct) { await Task.Delay(10); return 1; }
            }
            """);

    [Theory]
    [InlineData("await Task.Yield();")]
    [InlineData("await foreach (string line in Lines()) { }")]
    [InlineData("await using (var lease = new Lease()) { }")]
    public Task RES0105_an_await_of_anything_is_work_the_token_could_have_stopped(string statement)
        => V.AnalyzerAsync(
            $$"""
            public partial class Pages
            {
                [{|#1:Timeout(2_000)|}]
                public partial Task<string> GetPageAsync(string url, CancellationToken ct);

                private async Task<string> GetPageAsyncCore(string url, CancellationToken {|#0:ct|})
                {
                    {{statement}}
                    return url;
                }

                private static async System.Collections.Generic.IAsyncEnumerable<string> Lines()
                {
                    await Task.CompletedTask;
                    yield return "";
                }

                private sealed class Lease : IAsyncDisposable
                {
                    public ValueTask DisposeAsync() => default;
                }
            }
            """,
            Unused("GetPageAsync", "ct"));

    [Fact]
    public Task RES0105_a_call_to_a_method_without_parameters_and_no_cancellable_overload_has_nothing_to_cancel()
        => V.AnalyzerAsync(
            """
            public partial class Pages
            {
                [Timeout(2_000)]
                public partial Task<string> GetPageAsync(string url, CancellationToken ct);
                private Task<string> GetPageAsyncCore(string url, CancellationToken ct) { Count(); return Task.FromResult(url); }
                private static void Count() { }
            }
            """);

    [Fact]
    public Task RES0105_every_method_of_a_type_is_judged_on_its_own_core()
        => V.AnalyzerAsync(
            """
            public partial class Pages
            {
                [{|#1:Timeout(2_000)|}]
                public partial Task<string> GetPageAsync(string url, CancellationToken ct);
                private async Task<string> GetPageAsyncCore(string url, CancellationToken {|#0:ct|}) { await Task.Yield(); return url; }

                [Timeout(2_000)]
                public partial Task<string> GetTitleAsync(string url, CancellationToken ct);
                private Task<string> GetTitleAsyncCore(string url, CancellationToken ct) => Task.Run(() => url, ct);

                [{|#3:Timeout(1_000)|}]
                public partial Task<string> GetLinkAsync(string url, CancellationToken token);
                private async Task<string> GetLinkAsyncCore(string url, CancellationToken {|#2:token|}) { await Task.Yield(); return url; }
            }
            """,
            Unused("GetPageAsync", "ct"),
            V.Diagnostic(DiagnosticDescriptors.TimeoutTokenNotUsed).WithLocation(2).WithLocation(3).WithArguments("GetLinkAsync", "GetLinkAsyncCore", "token"));
}
