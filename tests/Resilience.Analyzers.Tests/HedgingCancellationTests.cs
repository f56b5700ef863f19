using Microsoft.CodeAnalysis.Testing;
using Resilience.CodeFixes;
using Resilience.Generators;
using V = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.HedgingCancellationAnalyzer>;
using VFix = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.HedgingCancellationAnalyzer, Resilience.CodeFixes.AddCancellationTokenCodeFixProvider>;

namespace Resilience.Analyzers.Tests;

/// <summary>RES0107: hedging on a method without a CancellationToken, whose losing attempts cannot be cancelled.</summary>
public sealed class HedgingCancellationTests
{
    [Fact]
    public Task Hedging_without_a_token_is_reported_on_the_Hedging_attribute()
        => V.AnalyzerAsync(
            """
            public partial class Search
            {
                [{|#0:Hedging(3, DelayMs = 50)|}]
                [Idempotent]
                public partial Task<int> FindAsync(string query);
                private Task<int> FindAsyncCore(string query) => Task.FromResult(1);
            }
            """,
            V.Diagnostic(DiagnosticDescriptors.HedgingWithoutCancellationToken).WithLocation(0).WithArguments("FindAsync").WithMessage(
                "'FindAsync' is hedged but has no CancellationToken parameter, so the attempts that lose the race cannot be cancelled and run to the end, "
                + "each loading the dependency; add a CancellationToken parameter to 'FindAsync' and 'FindAsyncCore' and pass it on"));

    [Fact]
    public Task Hedging_with_a_token_and_a_timeout_without_hedging_are_not_reported()
        => V.AnalyzerAsync(
            """
            public partial class Search
            {
                [Hedging(2)]
                [Idempotent]
                public partial Task<int> FindAsync(string query, CancellationToken ct = default);
                private Task<int> FindAsyncCore(string query, CancellationToken ct = default) => Task.FromResult(1);

                [Retry(2)]
                public partial Task<int> CountAsync(string query);
                private Task<int> CountAsyncCore(string query) => Task.FromResult(1);
            }
            """);

    [Fact]
    public Task The_fix_adds_the_token_to_the_declaration_and_to_Core()
        => VFix.CodeFixAsync(
            """
            public partial class Search
            {
                [{|#0:Hedging(2)|}]
                [Idempotent]
                public partial Task<int> FindAsync(string query);
                private Task<int> FindAsyncCore(string query) => Task.FromResult(1);
            }
            """,
            new[] { VFix.Diagnostic(DiagnosticDescriptors.HedgingWithoutCancellationToken).WithLocation(0).WithArguments("FindAsync") },
            """
            public partial class Search
            {
                [Hedging(2)]
                [Idempotent]
                public partial Task<int> FindAsync(string query, CancellationToken cancellationToken = default);
                private Task<int> FindAsyncCore(string query, CancellationToken cancellationToken = default) => Task.FromResult(1);
            }
            """,
            AddCancellationTokenCodeFixProvider.Key);
}
