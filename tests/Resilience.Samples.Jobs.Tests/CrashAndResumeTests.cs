using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Resilience.Redis.Tests;
using Xunit.Abstractions;

namespace Resilience.Samples.Jobs.Tests;

/// <summary>
/// The jobs sample as a user runs it: a child process transcribing against a Redis (an embedded Garnet in this test
/// process, or a real redis-server), killed in the middle of its work, then started again. The second run must resume
/// from the latest checkpoint the first one saved, redo no chunk before it, and finish the transcript.
/// </summary>
public sealed partial class CrashAndResumeTests
{
    private const int Chunks = 12;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly ITestOutputHelper _output;

    public CrashAndResumeTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<ServerKind> Kinds => new() { ServerKind.Garnet, ServerKind.Redis };

    [SkippableTheory]
    [MemberData(nameof(Kinds))]
    public async Task A_job_killed_mid_stage_resumes_from_its_latest_checkpoint_and_redoes_no_chunk_before_it(ServerKind kind)
    {
        await using TestServer server = await TestServer.StartAsync(kind);
        string job = "episode-" + Guid.NewGuid().ToString("N")[..8];

        // First run: killed from outside once it has saved its second checkpoint.
        JobProcess first = JobProcess.Start(server.Endpoint, job);
        await first.WaitForAsync(lines => lines.Count(l => SavedLine().IsMatch(l)) >= 2, Patience);
        first.Kill();
        await first.ExitedAsync(Patience);
        _output.WriteLine("first run:" + Environment.NewLine + first.Output);

        Assert.DoesNotContain(first.Lines, l => l.Contains("done:", StringComparison.Ordinal));
        int savedUpTo = first.Lines.Select(l => SavedLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups["done"].Value)).Last();
        int[] firstChunks = Transcribed(first.Lines);
        Assert.Equal(Enumerable.Range(1, firstChunks.Length), firstChunks);
        Assert.InRange(savedUpTo, 2, Chunks - 1);

        // Second run: resumes after the last saved chunk, transcribes only the rest, and finishes.
        JobProcess second = JobProcess.Start(server.Endpoint, job);
        int exitCode = await second.ExitedAsync(Patience);
        _output.WriteLine("second run:" + Environment.NewLine + second.Output);

        Assert.Equal(0, exitCode);
        Assert.Contains(second.Lines, l => l.StartsWith($"resuming job {job} from checkpoint #", StringComparison.Ordinal) && l.Contains($"{savedUpTo}/{Chunks} chunks done", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(savedUpTo + 1, Chunks - savedUpTo), Transcribed(second.Lines));
        string done = Assert.Single(second.Lines, l => l.StartsWith($"job {job} done:", StringComparison.Ordinal));
        Assert.Contains($"{Chunks - savedUpTo} chunks transcribed in this run", done);
        Assert.EndsWith("transcript: " + string.Join(" | ", Enumerable.Range(1, Chunks).Select(i => $"[{i:00}]")), done);

        // The finished job deleted its checkpoints: a third run starts from the beginning.
        JobProcess third = JobProcess.Start(server.Endpoint, job, "--chunks", "1");
        Assert.Equal(0, await third.ExitedAsync(Patience));
        Assert.Contains($"starting job {job} from the beginning", third.Lines);
    }

    [SkippableFact]
    public async Task The_samples_own_crash_switch_ends_the_process_abruptly_and_the_next_run_resumes()
    {
        await using TestServer server = await TestServer.StartAsync(ServerKind.Garnet);
        string job = "episode-" + Guid.NewGuid().ToString("N")[..8];

        // Every chunk saved (no interval): the crash after chunk 4 leaves checkpoint 4/12.
        JobProcess first = JobProcess.Start(server.Endpoint, job, "--crash-after", "4", "--save-interval-ms", "0");
        Assert.NotEqual(0, await first.ExitedAsync(Patience));
        Assert.Contains("simulated crash after 4 chunks of this run", first.Lines);

        JobProcess second = JobProcess.Start(server.Endpoint, job, "--save-interval-ms", "0");
        Assert.Equal(0, await second.ExitedAsync(Patience));
        Assert.Contains($"resuming job {job} from checkpoint #4: stage transcribe, 4/{Chunks} chunks done (33 %)", second.Lines);
        Assert.Equal(Enumerable.Range(5, Chunks - 4), Transcribed(second.Lines));
    }

    private static int[] Transcribed(IEnumerable<string> lines)
        => lines.Select(l => TranscribedLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups["chunk"].Value)).ToArray();

    [GeneratedRegex(@"^  checkpoint #\d+ saved: (?<done>\d+)/\d+ chunks$")]
    private static partial Regex SavedLine();

    [GeneratedRegex(@"^chunk (?<chunk>\d+)/\d+ transcribed$")]
    private static partial Regex TranscribedLine();

    /// <summary>The sample's build output run as a child process, its console output kept line by line.</summary>
    private sealed class JobProcess
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();

        private JobProcess(Process process) => _process = process;

        public IReadOnlyList<string> Lines => _lines.ToArray();

        public string Output => string.Join(Environment.NewLine, _lines);

        public static JobProcess Start(string redis, string job, params string[] more)
        {
            // The sample's build output sits beside the test's.
            string sample = Path.Combine(AppContext.BaseDirectory, "Resilience.Samples.Jobs.dll");
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { sample, "--redis", redis, "--job", job, "--chunks", Chunks.ToString(), "--chunk-ms", "150" }.Concat(more))
            {
                start.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = start };
            var child = new JobProcess(process);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    child._lines.Enqueue(e.Data);
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    child._lines.Enqueue("stderr: " + e.Data);
                }
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        public async Task WaitForAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan patience)
        {
            var clock = Stopwatch.StartNew();
            while (!condition(Lines))
            {
                Assert.False(_process.HasExited, "The job ended before the condition held: " + Output);
                Assert.True(clock.Elapsed < patience, $"The condition did not hold within {patience.TotalSeconds} s: " + Output);
                await Task.Delay(20);
            }
        }

        public void Kill() => _process.Kill(entireProcessTree: true);

        /// <summary>Waits for the process to end (killing it when it outlasts <paramref name="patience"/>) and for its last output.</summary>
        public async Task<int> ExitedAsync(TimeSpan patience)
        {
            using var timeout = new CancellationTokenSource(patience);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                Assert.Fail($"The job did not end within {patience.TotalSeconds} s: " + Output);
            }

            // WaitForExit without a timeout also waits for the redirected output to be read to its end.
            _process.WaitForExit();
            int code = _process.ExitCode;
            _process.Dispose();
            return code;
        }
    }
}
