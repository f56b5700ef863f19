using System.Text.RegularExpressions;
using Resilience.Analyzers.Tests.Infrastructure;

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
    [InlineData("SendSMS", "Send|SMS")]
    [InlineData("X", "X")]
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
    [InlineData("UpdateAnd")]
    [InlineData("SaveThen")]
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

    // The words RES0100's page lists are the words it knows: each one is recognised, as the page says.

    [Fact]
    public void Every_state_changing_verb_the_page_lists_is_reported_first_after_a_prefix_and_after_And()
    {
        string[] verbs = Listed("Verbs that change state");
        Assert.Equal(52, verbs.Length);
        Assert.All(verbs, verb =>
        {
            Assert.Equal(verb, OperationName.ChangingVerb(verb + "Async"));
            Assert.Equal(verb, OperationName.ChangingVerb("Try" + verb + "Async"));
            Assert.Equal(verb.ToLowerInvariant(), OperationName.ChangingVerb("update_and_" + verb.ToLowerInvariant()));
        });
    }

    [Fact]
    public void Every_verb_the_page_lists_as_also_a_noun_is_a_noun_before_every_word_it_lists_and_a_verb_before_others()
    {
        string[] verbs = Listed("Verbs that change state");
        string[] nouns = Listed("Verbs that are also nouns");
        string[] followers = Listed("Words that make them nouns");
        Assert.Equal(19, nouns.Length);
        Assert.Equal(24, followers.Length);
        Assert.All(nouns, noun =>
        {
            Assert.Contains(noun, verbs);
            Assert.All(followers, follower => Assert.Null(OperationName.ChangingVerb(noun + follower + "Async")));
            Assert.Equal(noun, OperationName.ChangingVerb(noun + "PizzaAsync"));
        });

        // A verb that is not also a noun stays a verb whatever follows it.
        Assert.All(verbs.Except(nouns), verb => Assert.Equal(verb, OperationName.ChangingVerb(verb + "StatusAsync")));
    }

    [Fact]
    public void Every_reading_verb_the_page_lists_is_a_read_after_a_prefix_too()
    {
        string[] reads = Listed("Verbs that only read");
        Assert.Equal(38, reads.Length);
        Assert.All(reads, read =>
        {
            Assert.True(OperationName.IsRead(read + "ItemsAsync"), read);
            Assert.True(OperationName.IsRead("Do" + read), read);
            Assert.Null(OperationName.ChangingVerb(read + "ItemsAsync"));
        });
    }

    [Fact]
    public void Every_word_the_page_lists_before_the_verb_is_skipped()
    {
        string[] prefixes = Listed("Words before the verb");
        Assert.Equal(["Try", "Do", "Begin"], prefixes);
        Assert.All(prefixes, prefix =>
        {
            Assert.Equal("Send", OperationName.ChangingVerb(prefix + "SendAsync"));
            Assert.True(OperationName.IsRead(prefix + prefix + "GetAsync"));
            Assert.False(OperationName.IsRead(prefix));
        });
    }

    /// <summary>The words in backticks after the bold label <paramref name="label"/> in RES0100's "The words it knows".</summary>
    private static string[] Listed(string label)
    {
        string page = Repository.Read("docs", "diagnostics", "RES0100.md");
        string section = page.Substring(page.IndexOf("### The words it knows", StringComparison.Ordinal));
        Match item = Regex.Match(section, @"^- \*\*" + Regex.Escape(label) + @"[^*]*\*\*(?<text>.*?)(?=^- |^\s*$|^#)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(item.Success, $"RES0100.md lists no '{label}'");
        string text = item.Groups["text"].Value;
        text = text.Substring(text.IndexOf(':', StringComparison.Ordinal) + 1); // after the label's own examples, if any
        return Regex.Matches(text, "`(?<word>[A-Za-z]+)`").Select(m => m.Groups["word"].Value).ToArray();
    }
}
