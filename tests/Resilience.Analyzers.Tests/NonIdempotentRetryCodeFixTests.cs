using Microsoft.CodeAnalysis.Testing;
using Resilience.CodeFixes;
using Resilience.Generators;
using V = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.NonIdempotentRetryAnalyzer, Resilience.CodeFixes.NonIdempotentRetryCodeFixProvider>;

namespace Resilience.Analyzers.Tests;

/// <summary>RES0100's fixes: mark the method [Idempotent], or remove [Retry].</summary>
public sealed class NonIdempotentRetryCodeFixTests
{
    private static DiagnosticResult Create(int location, string method = "CreateAsync")
        => V.Diagnostic(DiagnosticDescriptors.NonIdempotentRetry).WithLocation(location).WithArguments(method, "its name says it changes state ('Create')", "retried", "[Retry]");

    [Fact]
    public Task Remove_Hedging_removes_the_attribute_the_warning_is_on()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                [{|#0:Hedging(2)|}]
                [Timeout(1_000)]
                public partial Task<int> CreateAsync(string item, CancellationToken ct);
                private Task<int> CreateAsyncCore(string item, CancellationToken ct) => Task.FromResult(1);
            }
            """,
            new[] { V.Diagnostic(DiagnosticDescriptors.NonIdempotentRetry).WithLocation(0).WithArguments("CreateAsync", "its name says it changes state ('Create')", "hedged", "[Hedging]") },
            """
            public partial class Orders
            {
                [Timeout(1_000)]
                public partial Task<int> CreateAsync(string item, CancellationToken ct);
                private Task<int> CreateAsyncCore(string item, CancellationToken ct) => Task.FromResult(1);
            }
            """,
            NonIdempotentRetryCodeFixProvider.RemoveRetryKey);

    [Fact]
    public Task Idempotent_goes_on_its_own_line_after_Retry_and_the_documentation_stays()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                /// <summary>Creates an order.</summary>
                [{|#0:Retry(3)|}]
                [Timeout(1_000)]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            new[] { Create(0) },
            """
            public partial class Orders
            {
                /// <summary>Creates an order.</summary>
                [Retry(3)]
                [Idempotent]
                [Timeout(1_000)]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            NonIdempotentRetryCodeFixProvider.AddIdempotentKey);

    [Fact]
    public Task Idempotent_joins_attributes_written_on_one_line()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                [{|#0:Retry(2)|}] [Bulkhead(1)] public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            new[] { Create(0) },
            """
            public partial class Orders
            {
                [Retry(2)] [Idempotent] [Bulkhead(1)] public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            NonIdempotentRetryCodeFixProvider.AddIdempotentKey);

    [Fact]
    public Task Idempotent_is_qualified_as_Retry_is()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                [{|#0:global::Resilience.RetryAttribute(3)|}]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            new[] { Create(0) },
            """
            public partial class Orders
            {
                [global::Resilience.RetryAttribute(3)]
                [global::Resilience.IdempotentAttribute]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            NonIdempotentRetryCodeFixProvider.AddIdempotentKey);

    [Fact]
    public Task Fix_all_marks_every_method()
        => V.CodeFixAsync(
            """
            public partial class Orders(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;

                [{|#1:Retry(5)|}]
                public partial Task ImportAsync(CancellationToken ct);
                private Task ImportAsyncCore(CancellationToken ct) => {|#2:http.PostAsync("import", null, ct)|};
            }
            """,
            new[]
            {
                Create(0),
                V.Diagnostic(DiagnosticDescriptors.NonIdempotentRetry).WithLocation(1).WithLocation(2).WithArguments("ImportAsync", "'ImportAsyncCore' sends an HTTP POST (HttpClient.PostAsync)", "retried", "[Retry]"),
            },
            """
            public partial class Orders(HttpClient http)
            {
                [Retry]
                [Idempotent]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;

                [Retry(5)]
                [Idempotent]
                public partial Task ImportAsync(CancellationToken ct);
                private Task ImportAsyncCore(CancellationToken ct) => http.PostAsync("import", null, ct);
            }
            """,
            NonIdempotentRetryCodeFixProvider.AddIdempotentKey);

    [Fact]
    public Task Remove_Retry_keeps_the_other_policies_and_the_documentation()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                /// <summary>Creates an order.</summary>
                [{|#0:Retry(3)|}]
                [Timeout(1_000)]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            new[] { Create(0) },
            """
            public partial class Orders
            {
                /// <summary>Creates an order.</summary>
                [Timeout(1_000)]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            NonIdempotentRetryCodeFixProvider.RemoveRetryKey);

    [Fact]
    public Task Remove_Retry_from_a_list_of_several_attributes()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                [{|#0:Retry|}, Timeout(100)]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            new[] { Create(0) },
            """
            public partial class Orders
            {
                [Timeout(100)]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            NonIdempotentRetryCodeFixProvider.RemoveRetryKey);

    [Fact]
    public Task Remove_the_only_policy_turns_the_declaration_into_a_call_to_Core()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                /// <summary>Creates an order.</summary>
                [{|#0:Retry(3)|}]
                public partial Task<T> CreateAsync<T>(in int count, string? note, CancellationToken ct) where T : new();
                private Task<T> CreateAsyncCore<T>(in int count, string? note, CancellationToken ct) where T : new() => Task.FromResult(new T());
            }
            """,
            new[] { Create(0) },
            """
            public partial class Orders
            {
                /// <summary>Creates an order.</summary>
                public Task<T> CreateAsync<T>(in int count, string? note, CancellationToken ct) where T : new() => CreateAsyncCore<T>(in count, note, ct);
                private Task<T> CreateAsyncCore<T>(in int count, string? note, CancellationToken ct) where T : new() => Task.FromResult(new T());
            }
            """,
            NonIdempotentRetryCodeFixProvider.RemoveRetryKey);

    [Fact]
    public Task Fix_all_removes_every_Retry()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                [{|#0:Retry|}]
                [Timeout(500)]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;

                [{|#1:Retry|}]
                static partial void CreateLog();
                private static void CreateLogCore() { }
            }
            """,
            new[] { Create(0), Create(1, "CreateLog") },
            """
            public partial class Orders
            {
                [Timeout(500)]
                public partial Task CreateAsync(CancellationToken ct);
                private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;

                static void CreateLog() => CreateLogCore();
                private static void CreateLogCore() { }
            }
            """,
            NonIdempotentRetryCodeFixProvider.RemoveRetryKey);
}
