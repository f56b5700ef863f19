using System.Diagnostics;

namespace Resilience.Monitoring.Tests;

/// <summary>
/// A program some tests run against (Prometheus' <c>promtool</c>, a headless <c>chromium</c>), found on <c>PATH</c>.
/// Where it is missing its tests are skipped with the command that installs it, unless
/// <c>RESILIENCE_REQUIRE_REAL_COMPONENTS=1</c> is set (as CI does): then they run, and fail.
/// </summary>
internal static class RealComponent
{
    public const string RequireVariable = "RESILIENCE_REQUIRE_REAL_COMPONENTS";

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>The full path of <paramref name="command"/> on <c>PATH</c>; null when it is not there.</summary>
    public static string? Find(string command)
    {
        string[] directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return directories.Select(d => Path.Combine(d, command)).FirstOrDefault(File.Exists);
    }

    /// <summary>The full path of <paramref name="command"/>; throws, saying how to install it, when it is missing.</summary>
    public static string Require(string command, string package)
        => Find(command) ?? throw new InvalidOperationException(
            $"'{command}' is not on PATH and {RequireVariable}=1 makes this test mandatory: install it with `apt-get install {package}`.");

    /// <summary>Runs <paramref name="executable"/> to its end (at most two minutes) and returns its exit code and its output, stdout then stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"'{executable}' did not start.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>
/// A test that needs <see cref="RealComponent"/> <c>command</c>: skipped, with the command that installs it, when it is
/// missing and <c>RESILIENCE_REQUIRE_REAL_COMPONENTS</c> is not <c>1</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RealComponentFactAttribute : FactAttribute
{
    public RealComponentFactAttribute(string command, string package)
    {
        if (!RealComponent.Required && RealComponent.Find(command) is null)
        {
            Skip = $"'{command}' is not on PATH: install it with `apt-get install {package}` (Debian), or set {RealComponent.RequireVariable}=1 to make this a failure.";
        }
    }
}
