using System.Text.Json;
using Resilience;
using Resilience.Redis;
using Resilience.Samples.Jobs;
using StackExchange.Redis;

// A transcription job that resumes from its latest checkpoint after a crash. Run it against a Redis, crash it, run it again:
//   dotnet run --project samples/Resilience.Samples.Jobs -- --redis localhost:6379 --crash-after 5
//   dotnet run --project samples/Resilience.Samples.Jobs -- --redis localhost:6379
// Options: --job <id> (default episode-42), --chunks <n> (12), --chunk-ms <ms> (250), --save-interval-ms <ms> (1000),
// --crash-after <n> (end the process abruptly after n chunks of this run).
Dictionary<string, string> options = ReadOptions(args);
string jobId = options.GetValueOrDefault("job", "episode-42");
int chunks = int.Parse(options.GetValueOrDefault("chunks", "12"));
int? crashAfter = options.TryGetValue("crash-after", out string? crash) ? int.Parse(crash) : null;
var workPerChunk = TimeSpan.FromMilliseconds(int.Parse(options.GetValueOrDefault("chunk-ms", "250")));

var checkpointOptions = new CheckpointOptions
{
    // Scaled down with the chunks: the transcriber itself saves at most every 30 s (the default).
    MinSaveInterval = TimeSpan.FromMilliseconds(int.Parse(options.GetValueOrDefault("save-interval-ms", "1000"))),
    JsonSerializerOptions = new JsonSerializerOptions { TypeInfoResolver = JobsJsonContext.Default },
};

ConnectionMultiplexer? redis = null;
ICheckpointStore store;
if (options.TryGetValue("redis", out string? configuration))
{
    ConfigurationOptions connection = ConfigurationOptions.Parse(configuration);
    connection.AbortOnConnectFail = false;
    redis = await ConnectionMultiplexer.ConnectAsync(connection);
    var redisStore = new RedisCheckpointStore(redis, checkpointOptions, new RedisResilienceOptions { KeyPrefix = "jobs-sample", OperationTimeout = TimeSpan.FromSeconds(2) });
    Console.WriteLine($"checkpoints in {redisStore.Description}");
    store = redisStore;
}
else
{
    Console.WriteLine("checkpoints in this process's memory only: a crash loses them. Give --redis localhost:6379 to resume after one.");
    store = new InMemoryCheckpointStore(checkpointOptions);
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    var job = new TranscriptionJob(store, new TranscriptionService(workPerChunk), chunks);
    await job.RunAsync(jobId, crashAfter, stop.Token);
    return 0;
}
catch (CheckpointStoreUnavailableException e)
{
    // Without its checkpoints the job would start from zero and redo finished work: it stops and says why instead.
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.WriteLine("stopped; run again to resume from the latest checkpoint");
    return 1;
}
finally
{
    redis?.Dispose();
}

static Dictionary<string, string> ReadOptions(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (int i = 0; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{args[i]}' is not an option; write --name value, e.g. --redis localhost:6379.");
        }

        options[args[i][2..]] = args[i + 1];
    }

    return options;
}
