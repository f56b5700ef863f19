using System.Text.RegularExpressions;

namespace Resilience.Docs.Tests;

/// <summary>
/// The order of the policies is written in many places a user reads (the README, the docs, the attributes' XML
/// docs). Each place must write the whole order the generator follows, which the comment on
/// <c>src/Resilience.Generators/Emitting/Pipeline.cs</c> states and the generator's behaviour tests hold.
/// </summary>
public sealed partial class PipelineOrderTests
{
    /// <summary>A written order: policies from <c>Fallback</c> joined by arrows, without the <c>{Name}Core</c> at its end.</summary>
    [GeneratedRegex(@"Fallback(?: → (?!\{Name\}Core|Core\b)\w+(?:\(\w+\))?)+")]
    private static partial Regex WrittenOrder();

    private static string GeneratorsOrder()
    {
        string pipeline = File.ReadAllText(Path.Combine(Repository.Root, "src", "Resilience.Generators", "Emitting", "Pipeline.cs"));
        return WrittenOrder().Match(pipeline) is { Success: true } order
            ? order.Value
            : throw new InvalidOperationException("Pipeline.cs no longer states the order in its comment.");
    }

    /// <summary>Every file a user or a contributor reads the order in: README, docs, sources and tests.</summary>
    private static IEnumerable<string> Files()
    {
        string root = Repository.Root;
        yield return Path.Combine(root, "README.md");
        yield return Path.Combine(root, "CONTRIBUTING.md");
        foreach (string folder in new[] { "docs", "src", "tests", "samples" })
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                bool built = relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal);
                bool self = relative == "tests/Resilience.Docs.Tests/PipelineOrderTests.cs";
                if (!built && !self && (file.EndsWith(".md", StringComparison.Ordinal) || file.EndsWith(".cs", StringComparison.Ordinal)))
                {
                    yield return file;
                }
            }
        }
    }

    [Fact]
    public void Every_written_order_of_the_policies_is_the_whole_order_the_generator_follows()
    {
        string expected = GeneratorsOrder();
        Assert.Contains("CachedFallback → Idempotency → RateLimit", expected, StringComparison.Ordinal);

        var stale = new List<string>();
        int found = 0;
        foreach (string file in Files())
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match order in WrittenOrder().Matches(lines[i]))
                {
                    found++;
                    if (order.Value != expected)
                    {
                        stale.Add($"{Path.GetRelativePath(Repository.Root, file)}:{i + 1}: {order.Value}");
                    }
                }
            }
        }

        Assert.True(found >= 8, $"Only {found} written orders found: the search no longer reads the files.");
        Assert.True(stale.Count == 0, "Write the whole order, " + expected + ", in:\n" + string.Join('\n', stale));
    }

    [Fact]
    public void A_shortened_order_is_found()
    {
        string shortened = "the pipeline `Fallback → RateLimit → Timeout(Total) → Retry → {Name}Core`.";
        Assert.Equal("Fallback → RateLimit → Timeout(Total) → Retry", WrittenOrder().Match(shortened).Value);
    }
}
