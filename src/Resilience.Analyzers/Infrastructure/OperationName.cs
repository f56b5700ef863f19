using System;
using System.Collections.Generic;

namespace Resilience.Analyzers;

/// <summary>What a method's name says it does: the verb is its first word (after Try, Do or Begin), and any word after And or Then.</summary>
internal static class OperationName
{
    /// <summary>Verbs of operations that change state in a way a second run repeats: creating, sending, charging, queueing.</summary>
    private static readonly HashSet<string> s_changingVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "Add", "Allocate", "Append", "Book", "Broadcast", "Buy", "Capture", "Charge", "Checkout", "Create", "Credit",
        "Debit", "Decrement", "Deposit", "Dequeue", "Dispatch", "Email", "Emit", "Enqueue", "Enroll", "Increment",
        "Insert", "Invite", "Issue", "Launch", "Mail", "Notify", "Order", "Pay", "Place", "Pop", "Post", "Provision",
        "Publish", "Purchase", "Push", "Record", "Redeem", "Refund", "Register", "Republish", "Resend", "Reserve",
        "Resubmit", "Schedule", "Sell", "Send", "Spawn", "Submit", "Transfer", "Trigger", "Withdraw",
    };

    /// <summary>Changing verbs that are also nouns: <c>OrderPizza</c> orders, <c>OrderStatus</c> reads an order's status.</summary>
    private static readonly HashSet<string> s_alsoNouns = new(StringComparer.OrdinalIgnoreCase)
    {
        "Book", "Capture", "Charge", "Credit", "Debit", "Deposit", "Email", "Invite", "Issue", "Mail", "Order", "Place",
        "Post", "Purchase", "Record", "Refund", "Schedule", "Transfer", "Trigger",
    };

    /// <summary>Words that, after one of <see cref="s_alsoNouns"/>, make it a noun: <c>OrderStatus</c>, <c>BookById</c>, <c>RecordCount</c>.</summary>
    private static readonly HashSet<string> s_nounFollowers = new(StringComparer.OrdinalIgnoreCase)
    {
        "By", "Config", "Configuration", "Count", "Detail", "Details", "Exists", "For", "History", "Id", "Ids", "Info",
        "Items", "Lines", "List", "Of", "Settings", "State", "Status", "Summary", "Template", "Templates", "Total", "Totals",
    };

    /// <summary>Verbs of operations that only read.</summary>
    private static readonly HashSet<string> s_readVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "Browse", "Calculate", "Can", "Check", "Compute", "Contains", "Count", "Describe", "Download", "Estimate",
        "Exists", "Fetch", "Find", "Get", "Has", "Head", "Inspect", "Is", "List", "Load", "Lookup", "Look", "Peek",
        "Ping", "Poll", "Preview", "Probe", "Query", "Read", "Resolve", "Retrieve", "Scan", "Search", "Select",
        "Show", "Validate", "Verify", "View",
    };

    /// <summary>Prefixes that stand before the verb.</summary>
    private static readonly HashSet<string> s_prefixes = new(StringComparer.OrdinalIgnoreCase) { "Try", "Do", "Begin" };

    /// <summary>The word of <paramref name="name"/> that says it changes state, as written (<c>Create</c>); null when none does.</summary>
    public static string? ChangingVerb(string name)
    {
        List<string> words = Words(name);
        int verb = VerbIndex(words);
        if (verb < 0)
        {
            return null;
        }

        if (IsChangingVerb(words, verb))
        {
            return words[verb];
        }

        for (int i = verb + 1; i < words.Count - 1; i++)
        {
            if ((words[i].Equals("And", StringComparison.OrdinalIgnoreCase) || words[i].Equals("Then", StringComparison.OrdinalIgnoreCase))
                && IsChangingVerb(words, i + 1))
            {
                return words[i + 1];
            }
        }

        return null;
    }

    private static bool IsChangingVerb(List<string> words, int index)
        => s_changingVerbs.Contains(words[index])
            && !(s_alsoNouns.Contains(words[index]) && index + 1 < words.Count && s_nounFollowers.Contains(words[index + 1]));

    /// <summary>True when the name's verb says it only reads: Get, Find, List, Fetch, Search, ...</summary>
    public static bool IsRead(string name)
    {
        List<string> words = Words(name);
        int verb = VerbIndex(words);
        return verb >= 0 && s_readVerbs.Contains(words[verb]);
    }

    /// <summary>The words of a PascalCase, camelCase or snake_case name: <c>TrySendSMSAsync</c> is Try, Send, SMS, Async.</summary>
    public static List<string> Words(string name)
    {
        var words = new List<string>();
        int start = -1;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (!char.IsLetter(c))
            {
                Flush(i);
                continue;
            }

            if (start < 0)
            {
                start = i;
                continue;
            }

            bool upper = char.IsUpper(c);
            bool previousLower = char.IsLower(name[i - 1]);
            bool acronymEnds = upper && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
            if ((upper && previousLower) || acronymEnds)
            {
                Flush(i);
                start = i;
            }
        }

        Flush(name.Length);
        return words;

        void Flush(int end)
        {
            if (start >= 0)
            {
                words.Add(name.Substring(start, end - start));
                start = -1;
            }
        }
    }

    private static int VerbIndex(List<string> words)
    {
        for (int i = 0; i < words.Count; i++)
        {
            if (!s_prefixes.Contains(words[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
