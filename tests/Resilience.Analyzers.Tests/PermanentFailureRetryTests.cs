using Microsoft.CodeAnalysis.Testing;
using Resilience.CodeFixes;
using Resilience.Generators;
using Fix = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.PermanentFailureRetryAnalyzer, Resilience.CodeFixes.RemoveSettingCodeFixProvider>;
using V = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.PermanentFailureRetryAnalyzer>;

namespace Resilience.Analyzers.Tests;

/// <summary>RES0103: retrying exceptions that never heal, and its fix, removing the entry from Handle.</summary>
public sealed class PermanentFailureRetryTests
{
    private const string RemoveAdvice = "remove it from Handle and fix the cause instead";
    private const string SameBug = "it is a bug, which fails the same way on every attempt";

    private static DiagnosticResult Permanent(int location, string type, string reason, string advice = RemoveAdvice)
        => V.Diagnostic(DiagnosticDescriptors.RetryOfPermanentFailure).WithLocation(location).WithArguments($"names {type}, which never heals: {reason}", advice);

    private static DiagnosticResult BareException(int location)
        => V.Diagnostic(DiagnosticDescriptors.RetryOfPermanentFailure).WithLocation(location).WithArguments(
            "is Exception with no Ignore, so it also retries failures that never heal, such as ArgumentException and NullReferenceException",
            "name the transient exceptions instead, or list the permanent ones in Ignore");

    private static string Method(string retry) => $$"""
        public partial class C
        {
            {{retry}}
            public partial Task<int> GetAsync(string id, CancellationToken ct);
            private Task<int> GetAsyncCore(string id, CancellationToken ct) => Task.FromResult(1);
        }
        """;

    [Theory]
    [InlineData("ArgumentException", "the same arguments fail the same way on every attempt")]
    [InlineData("ArgumentNullException", "the same arguments fail the same way on every attempt")]
    [InlineData("ArgumentOutOfRangeException", "the same arguments fail the same way on every attempt")]
    [InlineData("NotSupportedException", "what is not supported stays unsupported on every attempt")]
    [InlineData("PlatformNotSupportedException", "what is not supported stays unsupported on every attempt")]
    [InlineData("NotImplementedException", "what is not implemented stays unimplemented on every attempt")]
    [InlineData("FormatException", "the same input is malformed on every attempt")]
    [InlineData("UriFormatException", "the same input is malformed on every attempt")]
    [InlineData("InvalidCastException", SameBug)]
    [InlineData("NullReferenceException", SameBug)]
    [InlineData("IndexOutOfRangeException", SameBug)]
    [InlineData("DivideByZeroException", SameBug)]
    [InlineData("ObjectDisposedException", "a disposed object stays disposed on every attempt")]
    public Task An_exception_that_never_heals_is_reported_on_its_entry(string type, string reason)
        => V.AnalyzerAsync(
            Method($"[Retry(3, Handle = new[] {{ typeof(TimeoutException), {{|#0:typeof({type})|}} }})]"),
            Permanent(0, type, reason));

    [Fact]
    public Task OperationCanceledException_is_reported_with_the_way_to_retry_an_HttpClient_timeout()
        => V.AnalyzerAsync(
            Method("[Retry(Handle = new[] { {|#0:typeof(OperationCanceledException)|} })]"),
            Permanent(0, "OperationCanceledException", "a cancellation is a request to stop, not a failure that heals", "remove it from Handle (to retry HttpClient's own timeout, name TaskCanceledException)")
                .WithMessage("RetryAttribute.Handle names OperationCanceledException, which never heals: a cancellation is a request to stop, not a failure that heals; "
                    + "remove it from Handle (to retry HttpClient's own timeout, name TaskCanceledException)"));

    [Fact]
    public Task Exception_with_no_Ignore_is_reported()
        => V.AnalyzerAsync(
            Method("[Retry(Handle = new Type[] { {|#0:typeof(Exception)|} })]"),
            BareException(0));

    [Fact]
    public Task Every_entry_at_fault_is_reported_and_collection_expressions_are_read()
        => V.AnalyzerAsync(
            Method("[Retry(Handle = [{|#0:typeof(FormatException)|}, typeof(HttpRequestException), {|#1:typeof(NotImplementedException)|}])]"),
            Permanent(0, "FormatException", "the same input is malformed on every attempt"),
            Permanent(1, "NotImplementedException", "what is not implemented stays unimplemented on every attempt"));

    [Theory]
    [InlineData("[Retry(Handle = new[] { typeof(HttpRequestException), typeof(TimeoutException), typeof(TaskCanceledException) })]")]
    [InlineData("[Retry(Handle = new[] { typeof(Exception) }, Ignore = new[] { typeof(ArgumentException) })]")]
    [InlineData("[Retry(Handle = new[] { typeof(Exception) }, ShouldRetry = nameof(Transient))]")]
    [InlineData("[Retry(Handle = new[] { typeof(ArgumentNullException) }, Ignore = new[] { typeof(ArgumentException) })]")]
    [InlineData("[Retry(Ignore = new[] { typeof(ArgumentException), typeof(FormatException) })]")]
    [InlineData("[Retry]")]
    [InlineData("[Retry, CircuitBreaker(Handle = new[] { typeof(ArgumentException) })]")]
    [InlineData("[Fallback(nameof(Transient), Handle = new[] { typeof(NotSupportedException) })]")]
    public Task Transient_exceptions_and_entries_that_Ignore_covers_are_not_reported(string attributes)
        => V.AnalyzerAsync(
            $$"""
            public partial class C
            {
                {{attributes}}
                public partial Task<int> GetAsync(string id, CancellationToken ct);
                private Task<int> GetAsyncCore(string id, CancellationToken ct) => Task.FromResult(1);
                private static bool Transient(Exception error) => true;
            }
            """);

    [Fact]
    public Task Fix_removes_the_entry_and_keeps_the_rest()
        => Fix.CodeFixAsync(
            Method("[Retry(3, Handle = new[] { typeof(HttpRequestException), {|#0:typeof(ArgumentException)|}, typeof(TimeoutException) })]"),
            new[] { Permanent(0, "ArgumentException", "the same arguments fail the same way on every attempt") },
            Method("[Retry(3, Handle = new[] { typeof(HttpRequestException), typeof(TimeoutException) })]"),
            "RES0103" + RemoveSettingCodeFixProvider.KeySuffix);

    [Fact]
    public Task Fix_removes_a_first_entry_of_a_collection_expression()
        => Fix.CodeFixAsync(
            Method("[Retry(Handle = [{|#0:typeof(Exception)|}, typeof(HttpRequestException)])]"),
            new[] { BareException(0) },
            Method("[Retry(Handle = [typeof(HttpRequestException)])]"),
            "RES0103" + RemoveSettingCodeFixProvider.KeySuffix);

    [Fact]
    public Task Fix_all_removes_every_entry_at_fault_at_once()
        => Fix.CodeFixAsync(
            Method("[Retry(Handle = new[] { {|#0:typeof(FormatException)|}, typeof(HttpRequestException), {|#1:typeof(NotImplementedException)|}, {|#2:typeof(InvalidCastException)|} })]"),
            new[]
            {
                Permanent(0, "FormatException", "the same input is malformed on every attempt"),
                Permanent(1, "NotImplementedException", "what is not implemented stays unimplemented on every attempt"),
                Permanent(2, "InvalidCastException", SameBug),
            },
            Method("[Retry(Handle = new[] { typeof(HttpRequestException) })]"),
            "RES0103" + RemoveSettingCodeFixProvider.KeySuffix);

    [Fact]
    public Task No_fix_when_the_entry_is_all_Handle_has_since_an_empty_Handle_retries_everything()
        => Fix.NoCodeFixAsync(
            Method("[Retry(Handle = new[] { {|#0:typeof(ArgumentException)|}, {|#1:typeof(FormatException)|} })]"),
            new[]
            {
                Permanent(0, "ArgumentException", "the same arguments fail the same way on every attempt"),
                Permanent(1, "FormatException", "the same input is malformed on every attempt"),
            },
            "RES0103" + RemoveSettingCodeFixProvider.KeySuffix);

    [Fact]
    public Task A_policy_on_an_accessor_or_an_operator_is_left_to_the_generator_which_reports_the_shape()
        => V.AnalyzerAsync(
            """
            public class C
            {
                public int Stock
                {
                    [Retry(Handle = new[] { typeof(ArgumentException) })]
                    get => 1;
                }

                [Retry(Handle = new[] { typeof(FormatException) })]
                public static C operator +(C left, C right) => left;
            }
            """);
}
