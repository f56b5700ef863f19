namespace Resilience.Analyzers.Tests.Infrastructure;

/// <summary>Files of the repository the tests check the analyzers against: the documentation pages and release files.</summary>
internal static class Repository
{
    /// <summary>The repository's root: the folder holding <c>Resilience.Generators.sln</c>, above the test's output.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The text of the file at <paramref name="parts"/> under the root.</summary>
    public static string Read(params string[] parts) => File.ReadAllText(Path.Combine([Root, .. parts]));

    private static string FindRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Resilience.Generators.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Resilience.Generators.sln) was not found above " + AppContext.BaseDirectory);
    }
}
