using Microsoft.CodeAnalysis.Testing;
using Resilience.CodeFixes;
using Resilience.Generators;
using V = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.NonIdempotentRetryAnalyzer, Resilience.CodeFixes.NonIdempotentRetryCodeFixProvider>;

namespace Resilience.Analyzers.Tests;

/// <summary>RES0100's "add an idempotency key": [Idempotent], and [IdempotencyKey] on a parameter that names an id, or on a new one.</summary>
public sealed class IdempotencyKeyCodeFixTests
{
    private static DiagnosticResult Create(int location, string method = "CreateAsync")
        => V.Diagnostic(DiagnosticDescriptors.NonIdempotentRetry).WithLocation(location).WithArguments(method, "its name says it changes state ('Create')", "retried", "[Retry]");

    [Fact]
    public Task A_parameter_that_names_an_id_becomes_the_key()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                [{|#0:Retry(3)|}]
                public partial Task<int> CreateAsync(string item, string requestId, CancellationToken ct);
                private Task<int> CreateAsyncCore(string item, string requestId, CancellationToken ct) => Task.FromResult(1);
            }
            """,
            new[] { Create(0) },
            """
            public partial class Orders
            {
                [Retry(3)]
                [Idempotent]
                public partial Task<int> CreateAsync(string item, [IdempotencyKey] string requestId, CancellationToken ct);
                private Task<int> CreateAsyncCore(string item, string requestId, CancellationToken ct) => Task.FromResult(1);
            }
            """,
            NonIdempotentRetryCodeFixProvider.AddIdempotencyKeyKey);

    [Fact]
    public Task Without_such_a_parameter_a_string_key_is_added_to_the_method_and_its_core_before_the_token()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                [{|#0:Retry(3)|}]
                public partial Task<int> CreateAsync(string item, CancellationToken ct);
                private Task<int> CreateAsyncCore(string item, CancellationToken ct) => Task.FromResult(1);
            }
            """,
            new[] { Create(0) },
            """
            public partial class Orders
            {
                [Retry(3)]
                [Idempotent]
                public partial Task<int> CreateAsync(string item, [IdempotencyKey] string idempotencyKey, CancellationToken ct);
                private Task<int> CreateAsyncCore(string item, string idempotencyKey, CancellationToken ct) => Task.FromResult(1);
            }
            """,
            NonIdempotentRetryCodeFixProvider.AddIdempotencyKeyKey);

    [Fact]
    public Task A_method_without_parameters_gets_the_key_as_its_only_one()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                [{|#0:Retry(3)|}]
                public partial int Create();
                private int CreateCore() => 1;
            }
            """,
            new[] { Create(0, "Create") },
            """
            public partial class Orders
            {
                [Retry(3)]
                [Idempotent]
                public partial int Create([IdempotencyKey] string idempotencyKey);
                private int CreateCore(string idempotencyKey) => 1;
            }
            """,
            NonIdempotentRetryCodeFixProvider.AddIdempotencyKeyKey);

    [Fact]
    public Task A_key_goes_last_when_no_parameter_is_optional_or_a_token()
        => V.CodeFixAsync(
            """
            public partial class Orders
            {
                [{|#0:Retry(3)|}]
                public partial int Create(string item, int count);
                private int CreateCore(string item, int count) => count;
            }
            """,
            new[] { Create(0, "Create") },
            """
            public partial class Orders
            {
                [Retry(3)]
                [Idempotent]
                public partial int Create(string item, int count, [IdempotencyKey] string idempotencyKey);
                private int CreateCore(string item, int count, string idempotencyKey) => count;
            }
            """,
            NonIdempotentRetryCodeFixProvider.AddIdempotencyKeyKey);
}
