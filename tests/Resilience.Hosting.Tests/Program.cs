using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Hosting.Tests;

/// <summary>
/// This assembly started as a process of its own (<c>dotnet Resilience.Hosting.Tests.dll chaos-allowed</c>), so that
/// <see cref="ResilienceRegistry.Default"/> starts from the environment the test gave it, as a deployed application's
/// does: it prints whether chaos is allowed, whether a <c>Chaos</c> section is accepted, and what a call then meets.
/// The test runner never calls it.
/// </summary>
public static class Program
{
    public const string ChaosAllowed = "chaos-allowed";

    public static async Task<int> Main(string[] args)
    {
        if (args is not [ChaosAllowed])
        {
            await Console.Error.WriteLineAsync($"Usage: {ChaosAllowed}");
            return 2;
        }

        Console.WriteLine("allowed: " + ResilienceRegistry.Default.AllowChaos);
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Resilience:" + Names.ChaosBreaker + ":Chaos:FaultRate"] = "1" })
            .Build();
        try
        {
            new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));
        }
        catch (InvalidOperationException refused)
        {
            Console.WriteLine("refused: " + refused.Message);
            return 0;
        }

        Console.WriteLine("accepted");
        var dependency = new Dependency();
        try
        {
            int result = await dependency.ChaosAsync(CancellationToken.None);
            Console.WriteLine($"returned: {result}, runs: {dependency.Runs}");
        }
        catch (Exception error)
        {
            Console.WriteLine($"threw: {error.GetType().Name}, runs: {dependency.Runs}");
        }

        return 0;
    }
}
