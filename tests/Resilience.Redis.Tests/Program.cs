using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>
/// This assembly started as a process of its own (<c>dotnet Resilience.Redis.Tests.dll idempotency-race ...</c>): an
/// instance of a service that charges through a generated method with an idempotency key, on <see cref="ResilienceRegistry.Default"/>
/// and Redis, so that a test can race several processes over one key. The test runner never calls it.
/// </summary>
public static class Program
{
    public const string IdempotencyRace = "idempotency-race";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 4 || args[0] != IdempotencyRace)
        {
            await Console.Error.WriteLineAsync($"Usage: {IdempotencyRace} <endpoint> <key prefix> <idempotency key>");
            return 2;
        }

        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(args[1] + ",abortConnect=false");
        ResilienceRegistry.Default.UseRedis(connection, new RedisResilienceOptions { KeyPrefix = args[2], OperationTimeout = TimeSpan.FromSeconds(5) });
        var charges = new RacingCharges(connection.GetDatabase(), args[2] + ":runs");

        // Both processes are connected before either charges: the test says when.
        Console.WriteLine("ready");
        if (Console.ReadLine() != "go")
        {
            return 3;
        }

        string receipt = await charges.ChargeAsync(args[3], CancellationToken.None);
        Console.WriteLine("receipt " + receipt);
        return 0;
    }
}

/// <summary>A charge that counts its runs in Redis (every process's runs in one counter) and takes a while, so that a racer arrives while it runs.</summary>
public sealed partial class RacingCharges(IDatabase database, string runsKey)
{
    [Idempotent]
    public partial Task<string> ChargeAsync([IdempotencyKey] string requestId, CancellationToken cancellationToken);

    private async Task<string> ChargeAsyncCore(string requestId, CancellationToken cancellationToken)
    {
        long run = await database.StringIncrementAsync(runsKey);
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        return $"{requestId}/run-{run}/process-{Environment.ProcessId}";
    }
}
