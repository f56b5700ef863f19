using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Resilience;
using Resilience.Soak;

// A mixed load of every policy through generated methods, for a while, with failures, timeouts and cancellations;
// samples the process now and then and says at the end whether what it holds stayed flat.
//
//   dotnet run -c Release --project tests/Resilience.Soak -- [--minutes 10] [--sample-seconds 30] [--workers 4]
SoakOptions options = SoakOptions.Parse(args);
Console.WriteLine($"Soak: {options.Duration.TotalMinutes:0.##} min, {options.Workers} workers, a sample every {options.SampleInterval.TotalSeconds:0} s; {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC.");

var targets = new SoakTargets();
var outcomes = new OutcomeCounts();
using var stop = new CancellationTokenSource(options.Duration);
var samples = new List<Sample>();
var clock = Stopwatch.StartNew();

Task[] workers = Enumerable.Range(0, options.Workers).Select(worker => Task.Run(() => Load.RunAsync(targets, worker, outcomes, stop.Token))).ToArray();
Task all = Task.WhenAll(workers);

Console.WriteLine(Sample.Header);
while (!all.IsCompleted)
{
    Sample sample = Sample.Take(clock.Elapsed, outcomes.Total);
    samples.Add(sample);
    Console.WriteLine(sample);
    await Task.WhenAny(all, Task.Delay(options.SampleInterval)).ConfigureAwait(false);
}

await all.ConfigureAwait(false);
Sample last = Sample.Take(clock.Elapsed, outcomes.Total);
samples.Add(last);
Console.WriteLine(last);
Console.WriteLine();
Console.WriteLine(outcomes);
Console.WriteLine();
bool stable = Verdict.Print(samples);
long wrong = outcomes[Outcome.WrongResult];
if (wrong > 0)
{
    Console.WriteLine($"FAILED: {wrong:N0} calls returned a result that was not their own.");
}

return stable && wrong == 0 ? 0 : 1;

/// <summary>The command line: duration, sampling interval and the number of concurrent callers.</summary>
internal sealed record SoakOptions(TimeSpan Duration, TimeSpan SampleInterval, int Workers)
{
    public static SoakOptions Parse(string[] args)
    {
        double minutes = 10, sampleSeconds = 30;
        int workers = 4;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string value = args[i + 1];
            switch (args[i])
            {
                case "--minutes": minutes = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--sample-seconds": sampleSeconds = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--workers": workers = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option {args[i]}; the options are --minutes, --sample-seconds and --workers.");
            }
        }

        return new SoakOptions(TimeSpan.FromMinutes(minutes), TimeSpan.FromSeconds(sampleSeconds), workers);
    }
}
