namespace Resilience.Package.Tests;

/// <summary>
/// Packs Resilience.Generators, Resilience.Generators.Hosting, Resilience.Generators.AspNetCore and
/// Resilience.Generators.Redis once into a folder
/// feed of their own, for the tests of one class.
/// </summary>
public sealed class PackedPackage : IDisposable
{
    public const string Version = "0.1.0";

    public PackedPackage()
    {
        WorkDirectory = Directory.CreateTempSubdirectory("resilience-package-").FullName;
        Feed = Path.Combine(WorkDirectory, "feed");
        string[] projects =
        [
            Path.Combine("Resilience", "Resilience.csproj"),
            Path.Combine("Resilience.Hosting", "Resilience.Hosting.csproj"),
            Path.Combine("Resilience.AspNetCore", "Resilience.AspNetCore.csproj"),
            Path.Combine("Resilience.Redis", "Resilience.Redis.csproj"),
        ];
        foreach (string project in projects)
        {
            (int exit, string output) = DotNet.Run(WorkDirectory, new Dictionary<string, string>(), "pack", Path.Combine(RepositoryRoot(), "src", project), "-c", "Release", "-o", Feed);
            if (exit != 0)
            {
                throw new InvalidOperationException($"dotnet pack {project} failed:\n" + output);
            }
        }
    }

    /// <summary>A temporary folder for the feed and the consumers; deleted at the end.</summary>
    public string WorkDirectory { get; }

    /// <summary>The folder holding the .nupkg and .snupkg.</summary>
    public string Feed { get; }

    public void Dispose() => Directory.Delete(WorkDirectory, recursive: true);

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Resilience.Generators.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Resilience.Generators.sln) was not found above " + AppContext.BaseDirectory);
    }
}
