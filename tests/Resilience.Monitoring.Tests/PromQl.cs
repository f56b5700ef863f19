using System.Text.RegularExpressions;

namespace Resilience.Monitoring.Tests;

/// <summary>Reads the metric and label names out of PromQL expressions, and the expressions out of the monitoring files.</summary>
internal static partial class PromQl
{
    /// <summary>The names of the library's metrics (<c>resilience_...</c>) that <paramref name="expression"/> selects.</summary>
    public static IEnumerable<string> MetricNames(string expression)
    {
        // Label names appear inside selectors' braces and in grouping clauses: take those out, and what is left
        // that starts with the library's prefix names a metric.
        string withoutLabels = Grouping().Replace(Selector().Replace(expression, "{}"), string.Empty);
        return LibraryName().Matches(withoutLabels).Select(m => m.Value).Distinct();
    }

    /// <summary>The label names <paramref name="expression"/> matches on or groups by.</summary>
    public static IEnumerable<string> LabelNames(string expression)
    {
        IEnumerable<string> matched = Selector().Matches(expression).SelectMany(m => Matcher().Matches(m.Value).Select(x => x.Groups[1].Value));
        IEnumerable<string> grouped = Grouping().Matches(expression).SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        return matched.Concat(grouped).Distinct();
    }

    /// <summary>The <c>expr</c> of every rule in a Prometheus rules file, one-line or block (<c>expr: |</c>).</summary>
    public static IReadOnlyList<string> RuleExpressions(string rulesFile)
    {
        var expressions = new List<string>();
        string[] lines = File.ReadAllLines(rulesFile);
        for (int i = 0; i < lines.Length; i++)
        {
            string trimmed = lines[i].TrimStart();
            if (!trimmed.StartsWith("expr:", StringComparison.Ordinal))
            {
                continue;
            }

            string value = trimmed["expr:".Length..].Trim();
            if (value != "|")
            {
                expressions.Add(value);
                continue;
            }

            int indent = lines[i].Length - trimmed.Length;
            var block = new List<string>();
            while (i + 1 < lines.Length && (lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent || lines[i + 1].Trim().Length == 0))
            {
                block.Add(lines[++i].Trim());
            }

            expressions.Add(string.Join(' ', block).Trim());
        }

        return expressions;
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Selector();

    [GeneratedRegex(@"(\w+)\s*(?:=~|!~|!=|=)")]
    private static partial Regex Matcher();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\bresilience_\w+")]
    private static partial Regex LibraryName();
}
