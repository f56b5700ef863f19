using Microsoft.CodeAnalysis.Testing;
using Resilience.CodeFixes;
using Resilience.Generators;
using V = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.TimeoutCancellationAnalyzer, Resilience.CodeFixes.AddCancellationTokenCodeFixProvider>;

namespace Resilience.Analyzers.Tests;

/// <summary>RES0101's fix: a CancellationToken parameter on the declaration and on {Name}Core.</summary>
public sealed class AddCancellationTokenCodeFixTests
{
    private static DiagnosticResult NoToken(int location, string method)
        => V.Diagnostic(DiagnosticDescriptors.TimeoutWithoutCancellationToken).WithLocation(location).WithArguments(method);

    [Fact]
    public Task The_token_is_added_last_to_the_declaration_and_to_Core()
        => V.CodeFixAsync(
            """
            public partial class Stock
            {
                [{|#0:Timeout(2_000)|}]
                public partial Task<int> GetStockAsync(string sku);
                private Task<int> GetStockAsyncCore(string sku) => Task.FromResult(1);
            }
            """,
            new[] { NoToken(0, "GetStockAsync") },
            """
            public partial class Stock
            {
                [Timeout(2_000)]
                public partial Task<int> GetStockAsync(string sku, CancellationToken cancellationToken = default);
                private Task<int> GetStockAsyncCore(string sku, CancellationToken cancellationToken = default) => Task.FromResult(1);
            }
            """,
            AddCancellationTokenCodeFixProvider.Key);

    [Fact]
    public Task The_token_goes_before_params_and_takes_a_free_name()
        => V.CodeFixAsync(
            """
            public partial class Tags
            {
                [{|#0:Timeout(100)|}]
                public partial void Touch(string cancellationToken, params string[] tags);
                private void TouchCore(string cancellationToken, params string[] tags) { }
            }
            """,
            new[] { NoToken(0, "Touch") },
            """
            public partial class Tags
            {
                [Timeout(100)]
                public partial void Touch(string cancellationToken, CancellationToken cancellationToken2 = default, params string[] tags);
                private void TouchCore(string cancellationToken, CancellationToken cancellationToken2 = default, params string[] tags) { }
            }
            """,
            AddCancellationTokenCodeFixProvider.Key);

    [Fact]
    public Task A_method_without_parameters_gets_the_token_alone()
        => V.CodeFixAsync(
            """
            public partial class Stock
            {
                [{|#0:Timeout(100)|}]
                public partial int Count();
                private int CountCore() => 1;
            }
            """,
            new[] { NoToken(0, "Count") },
            """
            public partial class Stock
            {
                [Timeout(100)]
                public partial int Count(CancellationToken cancellationToken = default);
                private int CountCore(CancellationToken cancellationToken = default) => 1;
            }
            """,
            AddCancellationTokenCodeFixProvider.Key);

    [Fact]
    public Task Core_in_another_file_is_changed_too()
        => V.CodeFixAsync(
            new[]
            {
                ("Stock.cs",
                 """
                 public partial class Stock
                 {
                     [{|#0:Timeout(100)|}]
                     public partial Task<int> CountAsync(string sku);
                 }
                 """,
                 """
                 public partial class Stock
                 {
                     [Timeout(100)]
                     public partial Task<int> CountAsync(string sku, CancellationToken cancellationToken = default);
                 }
                 """),
                ("Stock.Core.cs",
                 """
                 public partial class Stock
                 {
                     private Task<int> CountAsyncCore(string sku) => Task.FromResult(1);
                 }
                 """,
                 """
                 public partial class Stock
                 {
                     private Task<int> CountAsyncCore(string sku, CancellationToken cancellationToken = default) => Task.FromResult(1);
                 }
                 """),
            },
            new[] { NoToken(0, "CountAsync") },
            AddCancellationTokenCodeFixProvider.Key);

    [Fact]
    public Task A_missing_using_is_added()
        => V.CodeFixAsync(
            new[]
            {
                ("Stock.cs",
                 """
                 namespace Shop
                 {
                     using System.Threading.Tasks;
                     using Resilience;

                     public partial class Stock
                     {
                         [{|#0:Timeout(100)|}]
                         public partial Task<int> CountAsync();
                         private Task<int> CountAsyncCore() => Task.FromResult(1);
                     }
                 }
                 """,
                 """
                 namespace Shop
                 {
                     using System.Threading;
                     using System.Threading.Tasks;
                     using Resilience;

                     public partial class Stock
                     {
                         [Timeout(100)]
                         public partial Task<int> CountAsync(CancellationToken cancellationToken = default);
                         private Task<int> CountAsyncCore(CancellationToken cancellationToken = default) => Task.FromResult(1);
                     }
                 }
                 """),
            },
            new[] { NoToken(0, "CountAsync") },
            AddCancellationTokenCodeFixProvider.Key,
            usings: false);

    [Fact]
    public Task Fix_all_adds_the_token_everywhere()
        => V.CodeFixAsync(
            """
            public partial class Stock
            {
                [{|#0:Timeout(100)|}]
                public partial Task<int> CountAsync(string sku);
                private Task<int> CountAsyncCore(string sku) => Task.FromResult(1);

                [{|#1:Timeout(100, Scope = TimeoutScope.Total)|}, Retry(2)]
                public partial Task<int> PriceAsync(string sku);
                private Task<int> PriceAsyncCore(string sku) => Task.FromResult(2);
            }
            """,
            new[] { NoToken(0, "CountAsync"), NoToken(1, "PriceAsync") },
            """
            public partial class Stock
            {
                [Timeout(100)]
                public partial Task<int> CountAsync(string sku, CancellationToken cancellationToken = default);
                private Task<int> CountAsyncCore(string sku, CancellationToken cancellationToken = default) => Task.FromResult(1);

                [Timeout(100, Scope = TimeoutScope.Total), Retry(2)]
                public partial Task<int> PriceAsync(string sku, CancellationToken cancellationToken = default);
                private Task<int> PriceAsyncCore(string sku, CancellationToken cancellationToken = default) => Task.FromResult(2);
            }
            """,
            AddCancellationTokenCodeFixProvider.Key);

    [Fact]
    public Task Afterwards_RES0105_asks_Core_to_pass_the_new_token_on()
        => V.CodeFixAsync(
            """
            public partial class Pages(HttpClient http)
            {
                [{|#0:Timeout(2_000)|}]
                public partial Task<string> GetPageAsync(string url);
                private Task<string> GetPageAsyncCore(string url) => http.GetStringAsync(url);
            }
            """,
            new[] { NoToken(0, "GetPageAsync") },
            """
            public partial class Pages(HttpClient http)
            {
                [{|#1:Timeout(2_000)|}]
                public partial Task<string> GetPageAsync(string url, CancellationToken cancellationToken = default);
                private Task<string> GetPageAsyncCore(string url, CancellationToken {|#0:cancellationToken|} = default) => http.GetStringAsync(url);
            }
            """,
            AddCancellationTokenCodeFixProvider.Key,
            remaining: new[]
            {
                V.Diagnostic(DiagnosticDescriptors.TimeoutTokenNotUsed).WithLocation(0).WithLocation(1).WithArguments("GetPageAsync", "GetPageAsyncCore", "cancellationToken"),
            });
}
