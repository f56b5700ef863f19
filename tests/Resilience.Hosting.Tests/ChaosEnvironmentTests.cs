using System.Diagnostics;

namespace Resilience.Hosting.Tests;

/// <summary>
/// Chaos allowed by the environment variable, as whoever deploys a process allows it: this assembly is started as a
/// process of its own (<see cref="Program"/>) with <c>RESILIENCE_ALLOW_CHAOS</c> set to each value, or unset.
/// </summary>
public sealed class ChaosEnvironmentTests
{
    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData("True")]
    [InlineData(" true\t")]
    public async Task True_in_any_case_with_spaces_around_allows_chaos_and_a_chaos_section_is_then_accepted_and_injects(string value)
    {
        string[] report = await RunAsync(value);

        // Every attempt of the retry met an injected fault before the core could run.
        Assert.Equal(new[] { "allowed: True", "accepted", "threw: ChaosInjectedException, runs: 0" }, report);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("false")]
    [InlineData("1")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("true1")]
    [InlineData("\"true\"")]
    public async Task Any_other_value_or_none_keeps_chaos_refused(string? value)
    {
        string[] report = await RunAsync(value);

        Assert.Equal("allowed: False", report[0]);
        string refusal = string.Join("\n", report.Skip(1));
        Assert.StartsWith("refused: ", refusal, StringComparison.Ordinal);
        Assert.Contains("Resilience:chaos.breaker:Chaos is given, but chaos is not allowed in this process", refusal, StringComparison.Ordinal);
        Assert.Contains("RESILIENCE_ALLOW_CHAOS=true", refusal, StringComparison.Ordinal);
    }

    /// <summary>Runs <see cref="Program"/> with the variable set to <paramref name="value"/> (unset when null) and returns what it printed, line by line.</summary>
    private static async Task<string[]> RunAsync(string? value)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add(Program.ChaosAllowed);
        start.Environment.Remove(ResilienceRegistry.AllowChaosEnvironmentVariable);
        if (value is not null)
        {
            start.Environment[ResilienceRegistry.AllowChaosEnvironmentVariable] = value;
        }

        using Process child = Process.Start(start) ?? throw new InvalidOperationException("The child process did not start.");
        Task<string> output = child.StandardOutput.ReadToEndAsync();
        Task<string> errors = child.StandardError.ReadToEndAsync();
        try
        {
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(child.ExitCode == 0, $"The child process exited with {child.ExitCode}: {await errors}");
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
