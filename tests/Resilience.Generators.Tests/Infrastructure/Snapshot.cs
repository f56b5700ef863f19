using System.Text;

namespace Resilience.Generators.Tests.Infrastructure;

/// <summary>
/// Compares generated text with a snapshot file committed beside the tests (Snapshots/NAME.g.cs).
/// Set RESILIENCE_UPDATE_SNAPSHOTS=1 to write the snapshots from the current output instead.
/// </summary>
internal static class Snapshot
{
    public const string UpdateVariable = "RESILIENCE_UPDATE_SNAPSHOTS";

    public static void Match(string name, string actual)
    {
        string directory = Path.Combine(ProjectDirectory(), "Snapshots");
        string path = Path.GetFullPath(Path.Combine(directory, name + ".g.cs"));
        actual = actual.Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"The snapshot {path} does not exist. Run the tests with {UpdateVariable}=1 to create it, then review and commit it.");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected != actual)
        {
            Assert.Fail($"The generated code differs from the snapshot {path}.\n{Diff(expected, actual)}\nIf the change is intended, run the tests with {UpdateVariable}=1 and commit the new snapshot.");
        }
    }

    /// <summary>
    /// The test project's folder, found from the test assembly's (source paths are not usable: CI builds map them
    /// to "/_/" for deterministic output).
    /// </summary>
    public static string ProjectDirectory()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Resilience.Generators.Tests.csproj")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The folder of Resilience.Generators.Tests.csproj was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A line diff of the first difference, with three lines of context.</summary>
    private static string Diff(string expected, string actual)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        int first = 0;
        while (first < e.Length && first < a.Length && e[first] == a[first])
        {
            first++;
        }

        var text = new StringBuilder();
        int start = Math.Max(0, first - 3);
        text.AppendLine($"First difference at line {first + 1}:");
        for (int i = start; i < first; i++)
        {
            text.AppendLine("  " + e[i]);
        }

        for (int i = first; i < Math.Min(e.Length, first + 6); i++)
        {
            text.AppendLine("- " + e[i]);
        }

        for (int i = first; i < Math.Min(a.Length, first + 6); i++)
        {
            text.AppendLine("+ " + a[i]);
        }

        return text.ToString();
    }
}
