using System.Text.Json;
using System.Text.Json.Serialization;

namespace Resilience.Tests.Storage;

public sealed class ResultSerializerTests
{
    [Fact]
    public void A_record_is_written_and_read_back()
    {
        var receipt = new Receipt("r-1", 12.5m, new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));

        byte[] json = ResultSerializer.Serialize(receipt, JsonSerializerOptions.Default, "payments");

        Assert.Equal(receipt, ResultSerializer.Deserialize<Receipt>(json, JsonSerializerOptions.Default, "payments"));
    }

    [Fact]
    public void A_source_generated_context_is_used_when_the_registry_is_given_it()
    {
        var registry = new ResilienceRegistry { JsonSerializerOptions = new JsonSerializerOptions { TypeInfoResolver = ReceiptContext.Default } };
        var receipt = new Receipt("r-2", 1m, DateTimeOffset.UnixEpoch);

        byte[] json = ResultSerializer.Serialize(receipt, registry.JsonSerializerOptions, "payments");

        Assert.Equal(receipt, ResultSerializer.Deserialize<Receipt>(json, registry.JsonSerializerOptions, "payments"));
        ResultSerializationException refused = Assert.Throws<ResultSerializationException>(
            () => ResultSerializer.EnsureSerializable<Unlisted>(registry.JsonSerializerOptions, "payments"));
        Assert.Equal(typeof(Unlisted), refused.ResultType);
        Assert.Contains("JsonSerializable(typeof(Unlisted))", refused.Message);
    }

    [Fact]
    public void A_type_that_cannot_be_serialized_is_refused_with_the_type_the_owner_and_the_fix()
    {
        ResultSerializationException refused = Assert.Throws<ResultSerializationException>(
            () => ResultSerializer.Serialize(new WithDelegate(() => 1), JsonSerializerOptions.Default, "orders.create"));

        Assert.Equal(typeof(WithDelegate), refused.ResultType);
        Assert.Equal("orders.create", refused.Owner);
        Assert.Contains("'orders.create' cannot keep a result of type", refused.Message);
        Assert.Contains("TypeInfoResolver", refused.Message);
        Assert.NotNull(refused.InnerException);
    }

    [Fact]
    public void Bytes_that_are_not_the_type_are_refused_with_the_type()
    {
        ResultSerializationException refused = Assert.Throws<ResultSerializationException>(
            () => ResultSerializer.Deserialize<Receipt>("[1,2]"u8, JsonSerializerOptions.Default, "payments"));

        Assert.Equal(typeof(Receipt), refused.ResultType);
        Assert.IsAssignableFrom<JsonException>(refused.InnerException);
    }

    [Fact]
    public void The_registry_refuses_null_options_and_reset_restores_the_default()
    {
        var registry = new ResilienceRegistry();
        JsonSerializerOptions defaults = registry.JsonSerializerOptions;

        Assert.Throws<ArgumentNullException>(() => registry.JsonSerializerOptions = null!);
        registry.JsonSerializerOptions = new JsonSerializerOptions();
        registry.Reset();

        Assert.Same(defaults, registry.JsonSerializerOptions);
    }

    public sealed record Receipt(string Id, decimal Amount, DateTimeOffset IssuedAt);

    public sealed record Unlisted(int Value);

    public sealed record WithDelegate(Func<int> Compute);
}

[JsonSerializable(typeof(ResultSerializerTests.Receipt))]
internal sealed partial class ReceiptContext : JsonSerializerContext
{
}
