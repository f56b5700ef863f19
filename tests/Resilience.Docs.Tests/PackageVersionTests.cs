using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Resilience.Docs.Tests;

/// <summary>
/// A version the docs tell a user to install (<c>dotnet add package X --version V</c>, or a <c>PackageReference</c>
/// with a <c>Version</c> in a fenced block) is the one the repository builds and tests with: the version of
/// <c>Directory.Packages.props</c>, or, for the <c>Resilience.Generators</c> packages, the project's own.
/// </summary>
public sealed partial class PackageVersionTests
{
    /// <summary><c>dotnet add package X --version V</c> (or <c>-v V</c>), the version anywhere after the package.</summary>
    [GeneratedRegex(@"dotnet add package (?<package>[A-Za-z0-9_.\-]+)[^\n`]*?(?:--version|-v)[ =](?<version>[^\s`]+)")]
    private static partial Regex AddPackage();

    /// <summary><c>&lt;PackageReference Include="X" Version="V" /&gt;</c>, the attributes in either order.</summary>
    [GeneratedRegex(@"<PackageReference\s+(?:Include=""(?<package>[^""]+)""\s+Version=""(?<version>[^""]+)""|Version=""(?<version>[^""]+)""\s+Include=""(?<package>[^""]+)"")")]
    private static partial Regex PackageReference();

    [Fact]
    public void Every_version_the_docs_install_is_the_one_the_repository_builds_with()
    {
        IReadOnlyDictionary<string, string> pinned = PinnedVersions();
        var wrong = new List<string>();
        int found = 0;
        foreach ((string where, string package, string version) in DocumentedVersions())
        {
            found++;
            if (!pinned.TryGetValue(package, out string? expected))
            {
                wrong.Add($"{where}: {package} {version} is a version the repository does not build with; add {package} to Directory.Packages.props (and to a test that uses it) or write the command without --version.");
            }
            else if (version != expected)
            {
                wrong.Add($"{where}: {package} {version}; the repository builds with {expected}.");
            }
        }

        // docs/operations.md pins the two OpenTelemetry packages: a count below that means the search reads nothing.
        Assert.True(found >= 2, $"Only {found} pinned versions found in README.md and docs/*.md: the search no longer reads the files.");
        Assert.True(wrong.Count == 0, "Write the version the repository builds with:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void Both_forms_are_read_with_their_package_and_version()
    {
        const string Text = """
            dotnet add package OpenTelemetry.Extensions.Hosting --version 1.20.1
            dotnet add package Some.Package -v 2.0.0-beta.1
            `dotnet add package Resilience.Generators --version 0.1.0`
            dotnet add package Resilience.Generators.Hosting
            <PackageReference Include="Resilience.Generators.Redis" Version="0.1.0" />
            <PackageReference Version="8.0.0" Include="Microsoft.Extensions.Http" />
            """;

        Assert.Equal(
            [
                ("OpenTelemetry.Extensions.Hosting", "1.20.1"),
                ("Some.Package", "2.0.0-beta.1"),
                ("Resilience.Generators", "0.1.0"),
            ],
            AddPackage().Matches(Text).Select(m => (m.Groups["package"].Value, m.Groups["version"].Value)));
        Assert.Equal(
            [("Resilience.Generators.Redis", "0.1.0"), ("Microsoft.Extensions.Http", "8.0.0")],
            PackageReference().Matches(Text).Select(m => (m.Groups["package"].Value, m.Groups["version"].Value)));
    }

    [Fact]
    public void The_projects_own_packages_are_pinned_at_its_version()
    {
        IReadOnlyDictionary<string, string> pinned = PinnedVersions();
        string version = ProjectVersion();

        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        foreach (string package in new[] { "Resilience.Generators", "Resilience.Generators.Hosting", "Resilience.Generators.AspNetCore", "Resilience.Generators.Redis" })
        {
            Assert.Equal(version, pinned[package]);
        }

        Assert.Equal("1.20.1-beta.1", pinned["OpenTelemetry.Exporter.Prometheus.AspNetCore"]);
    }

    /// <summary>Each version the docs pin: where (file and line), the package and the version.</summary>
    private static IEnumerable<(string Where, string Package, string Version)> DocumentedVersions()
    {
        string root = Repository.Root;
        IEnumerable<string> files = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal));
        foreach (string file in files)
        {
            string relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            string[] lines = File.ReadAllLines(file);
            bool fenced = false;
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    fenced = !fenced;
                    continue;
                }

                IEnumerable<Match> matches = AddPackage().Matches(lines[i]);
                if (fenced)
                {
                    matches = matches.Concat(PackageReference().Matches(lines[i]));
                }

                foreach (Match match in matches)
                {
                    yield return ($"{relative}:{i + 1}", match.Groups["package"].Value, match.Groups["version"].Value);
                }
            }
        }
    }

    /// <summary>The versions of <c>Directory.Packages.props</c>, and the project's own for its packages.</summary>
    private static IReadOnlyDictionary<string, string> PinnedVersions()
    {
        var versions = XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
        string own = ProjectVersion();
        foreach (string project in Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            if (XDocument.Load(project).Descendants("PackageId").FirstOrDefault() is { } packageId)
            {
                versions[packageId.Value] = own;
            }
        }

        return versions;
    }

    /// <summary>The version the packages are built with: <c>VersionPrefix</c> of <c>Directory.Build.props</c>, with its <c>VersionSuffix</c> if any.</summary>
    private static string ProjectVersion()
    {
        XDocument props = XDocument.Load(Path.Combine(Repository.Root, "Directory.Build.props"));
        string prefix = props.Descendants("VersionPrefix").Single().Value;
        string? suffix = props.Descendants("VersionSuffix").SingleOrDefault()?.Value;
        return string.IsNullOrEmpty(suffix) ? prefix : $"{prefix}-{suffix}";
    }
}
