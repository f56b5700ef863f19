using Microsoft.CodeAnalysis;
using Resilience.Generators.Tests.Infrastructure;

namespace Resilience.Generators.Tests.Diagnostics;

/// <summary>RES0004, RES0007 and RES0008 for idempotency keys: reported where the problem is, alone, with what to do.</summary>
public sealed class IdempotencyDiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        """;

    [Fact]
    public void RES0004_an_idempotency_key_without_Idempotent_is_reported_on_the_parameter()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry] public partial int Charge([IdempotencyKey] string requestId); private int ChargeCore(string requestId) => 1; }",
            "RES0004", "requestId");

        Assert.Equal("IdempotencyKeyAttribute is on 'requestId' of a method without [Idempotent]; it must be used together with [Idempotent] on the method, which says its stored result may answer a repeat", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0004_an_idempotency_key_on_two_parameters_is_reported_on_the_second()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Idempotent] public partial int Charge([IdempotencyKey] string user, [IdempotencyKey] string requestId); private int ChargeCore(string user, string requestId) => 1; }",
            "RES0004", "requestId");

        Assert.Equal("IdempotencyKeyAttribute is on 2 parameters; it must be on one parameter only; combine the values into one key (a string, or a record)", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void RES0004_a_time_to_live_below_one_millisecond_is_reported(int ttlMs)
    {
        Diagnostic diagnostic = Single(
            $"public partial class C {{ [Idempotent(TtlMs = {ttlMs})] public partial int Charge([IdempotencyKey] string requestId); private int ChargeCore(string requestId) => 1; }}",
            "RES0004", $"TtlMs = {ttlMs}");

        Assert.Equal($"IdempotentAttribute.TtlMs is {ttlMs}; it must be at least 1", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("double", "'double'")]
    [InlineData("DateTime", "'DateTime'")]
    [InlineData("object", "'object'")]
    [InlineData("int[]", "'int[]'")]
    [InlineData("IComparable", "'IComparable'")]
    [InlineData("Plain", "'Plain', which does not override ToString() and so gives its type's name for every value")]
    public void RES0007_a_key_without_a_stable_text_is_reported_on_the_parameter(string type, string described)
    {
        Diagnostic diagnostic = Single(
            $"public sealed class Plain {{ }} public partial class C {{ [Idempotent] public partial int Charge([IdempotencyKey] {type} key); private int ChargeCore({type} key) => 1; }}",
            "RES0007", "key");

        Assert.Equal($"The idempotency key 'key' of 'Charge' is {described}, which has no text that is the same in every process, so equal keys could miss each other or different keys could collide; make it a string, a Guid, an integer, an enum, or a type of yours that overrides ToString() (a record)", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0007_a_key_of_a_type_parameter_is_reported()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Idempotent] public partial int Charge<T>([IdempotencyKey] T key); private int ChargeCore<T>(T key) => 1; }",
            "RES0007", "key");

        Assert.Contains("is a type parameter ('T') that may stand for any type, which has no text that is the same in every process", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("string?")]
    [InlineData("Guid")]
    [InlineData("Guid?")]
    [InlineData("long")]
    [InlineData("int?")]
    [InlineData("DayOfWeek")]
    [InlineData("OrderId")]
    [InlineData("Tenant")]
    public void Keys_with_a_stable_text_are_accepted(string type)
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + $$"""
            public sealed record OrderId(int Value);
            public readonly struct Tenant { public override string ToString() => "t"; }
            public partial class C { [Idempotent] public partial int Charge([IdempotencyKey] {{type}} key); private int ChargeCore({{type}} key) => 1; }
            """);

        Assert.Empty(outcome.AllDiagnostics);
        Assert.Contains(outcome.Sources, s => s.Text.Contains("IdempotencyKeys.Require(", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("System.IO.Stream", "is a stream")]
    [InlineData("System.Net.Http.HttpResponseMessage", "holds a connection's content")]
    [InlineData("Func<int>", "is a delegate")]
    [InlineData("IShape", "is an interface without [JsonPolymorphic] or [JsonDerivedType]")]
    [InlineData("Shape", "is an abstract class without [JsonPolymorphic] or [JsonDerivedType]")]
    [InlineData("Task<int>", "is a task")]
    public void RES0008_a_result_that_cannot_be_stored_is_reported_on_the_method(string type, string reason)
    {
        Diagnostic diagnostic = Single(
            $"public interface IShape {{ }} public abstract class Shape {{ }} public partial class C {{ [Idempotent] public partial Task<{type}> ChargeAsync([IdempotencyKey] string requestId); private Task<{type}> ChargeAsyncCore(string requestId) => throw null!; }}",
            "RES0008", "ChargeAsync");

        Assert.Contains($"'ChargeAsync' has an idempotency key, but its result type", diagnostic.GetMessage());
        Assert.Contains(reason, diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("IReadOnlyList<int>")]
    [InlineData("IDictionary<string, int>")]
    [InlineData("PolymorphicShape")]
    public void Collections_and_polymorphic_results_are_accepted(string type)
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + $$"""
            [System.Text.Json.Serialization.JsonDerivedType(typeof(Square), "square")]
            public abstract class PolymorphicShape { }
            public sealed class Square : PolymorphicShape { }
            public partial class C { [Idempotent] public partial Task<{{type}}> GetAsync([IdempotencyKey] string requestId); private Task<{{type}}> GetAsyncCore(string requestId) => throw null!; }
            """);

        Assert.Empty(outcome.AllDiagnostics);
    }

    [Fact]
    public void Idempotent_alone_changes_no_code()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + """
            public partial class C
            {
                [Idempotent] public int NotPartial(string requestId) => 1;
                [Idempotent] public partial int Marker(string requestId);
                public partial int Marker(string requestId) => 1;
            }
            """);

        Assert.Empty(outcome.AllDiagnostics);
        Assert.Empty(outcome.Sources);
    }

    [Fact]
    public void An_idempotency_key_on_a_method_that_is_not_partial_is_RES0001()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Idempotent] public int Charge([IdempotencyKey] string requestId) => 1; }",
            "RES0001", "Charge");

        Assert.StartsWith("The method 'Charge' is not partial", diagnostic.GetMessage());
    }

    private static Diagnostic Single(string source, string id, string spanText)
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + source);

        Diagnostic diagnostic = Assert.Single(outcome.AllDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        SyntaxTree tree = outcome.Output.SyntaxTrees.First();
        Assert.Equal(spanText, tree.GetText().ToString(diagnostic.Location.SourceSpan));
        return diagnostic;
    }
}
