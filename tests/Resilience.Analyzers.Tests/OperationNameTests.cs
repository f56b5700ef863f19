namespace Resilience.Analyzers.Tests;

/// <summary>How RES0100 reads a method name: words, the verb, and the reads.</summary>
public sealed class OperationNameTests
{
    [Theory]
    [InlineData("CreateOrderAsync", "Create|Order|Async")]
    [InlineData("TrySendSMSAsync", "Try|Send|SMS|Async")]
    [InlineData("getHTTPResponse", "get|HTTP|Response")]
    [InlineData("create_order_v2", "create|order|v")]
    [InlineData("IOStream", "IO|Stream")]
    public void A_name_splits_into_its_words(string name, string words)
        => Assert.Equal(words.Split('|'), OperationName.Words(name));

    [Theory]
    [InlineData("CreateOrderAsync", "Create")]
    [InlineData("DoSendAsync", "Send")]
    [InlineData("BeginCharge", "Charge")]
    [InlineData("UpdateThenNotifyAsync", "Notify")]
    [InlineData("OrderPizzaAsync", "Order")]
    [InlineData("BookFlight", "Book")]
    [InlineData("Pay", "Pay")]
    public void A_state_changing_verb_is_found(string name, string verb)
        => Assert.Equal(verb, OperationName.ChangingVerb(name));

    [Theory]
    [InlineData("GetCreator")]
    [InlineData("GetOrCreate")]
    [InlineData("OrderHistoryAsync")]
    [InlineData("BookByIdAsync")]
    [InlineData("EmailTemplate")]
    [InlineData("Creator")]
    [InlineData("Try")]
    [InlineData("UpdateAsync")]
    [InlineData("")]
    public void A_name_that_does_not_say_it_changes_state_has_no_verb(string name)
        => Assert.Null(OperationName.ChangingVerb(name));

    [Theory]
    [InlineData("GetUserAsync", true)]
    [InlineData("TryFindAsync", true)]
    [InlineData("SearchProductsAsync", true)]
    [InlineData("ReportUsageAsync", false)]
    [InlineData("Getaway", false)]
    public void Reads_are_told_by_their_verb(string name, bool read)
        => Assert.Equal(read, OperationName.IsRead(name));
}
