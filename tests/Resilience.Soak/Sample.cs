using System.Diagnostics;
using Resilience;

namespace Resilience.Soak;

/// <summary>What the process holds at one moment: memory (after a full collection), handles, threads and keyed partitions.</summary>
internal sealed record Sample(TimeSpan At, long Calls, long WorkingSet, long HeapAfterCollection, int Handles, int Threads, int BreakerPartitions, int LimitPartitions)
{
    public const string Header = "    time       calls   working set   heap (after GC)   handles   threads   breaker partitions   limit partitions";

    public static Sample Take(TimeSpan at, long calls)
    {
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using Process process = Process.GetCurrentProcess();
        process.Refresh();
        return new Sample(
            at,
            calls,
            process.WorkingSet64,
            heap,
            HandleCount(process),
            process.Threads.Count,
            ResilienceRegistry.Default.KeyedCircuitBreaker(SoakTargets.KeyedBreaker).PartitionCount,
            ResilienceRegistry.Default.GetOrAddKeyedRateLimiter<string>(SoakTargets.KeyedLimit, new RateLimitOptions { Permits = 5, WindowMs = 50 }).PartitionCount);
    }

    /// <summary>Open file descriptors on Linux (sockets, timers and pipes included); the process' handle count elsewhere.</summary>
    private static int HandleCount(Process process)
        => OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : process.HandleCount;

    public override string ToString()
        => $"{At:hh\\:mm\\:ss} {Calls,11:N0} {Megabytes(WorkingSet),10} MB {Megabytes(HeapAfterCollection),14} MB {Handles,9} {Threads,9} {BreakerPartitions,20} {LimitPartitions,18}";

    public static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Compares the second half of the run with the first: what a leak would make grow, with the room noise needs.</summary>
internal static class Verdict
{
    public static bool Print(IReadOnlyList<Sample> samples)
    {
        // The first sample is taken before any load; the first quarter warms up (JIT, pools, partitions filling).
        Sample[] measured = samples.Skip(Math.Max(1, samples.Count / 4)).ToArray();
        if (measured.Length < 4)
        {
            Console.WriteLine("Too few samples to judge: run longer, or sample more often.");
            return false;
        }

        Sample[] early = measured.Take(measured.Length / 2).ToArray();
        Sample[] late = measured.Skip(measured.Length / 2).ToArray();
        bool stable = true;
        stable &= Check("heap after a full GC", early.Max(s => s.HeapAfterCollection), late.Max(s => s.HeapAfterCollection), 1.10, 2L << 20, Sample.Megabytes, "MB");
        stable &= Check("working set", early.Max(s => s.WorkingSet), late.Max(s => s.WorkingSet), 1.20, 16L << 20, Sample.Megabytes, "MB");
        stable &= Check("handles", early.Max(s => s.Handles), late.Max(s => s.Handles), 1.0, 8, v => v.ToString(), "");
        stable &= Check("threads", early.Max(s => s.Threads), late.Max(s => s.Threads), 1.0, 8, v => v.ToString(), "");
        stable &= Check("breaker partitions", early.Max(s => s.BreakerPartitions), late.Max(s => s.BreakerPartitions), 1.5, 64, v => v.ToString(), "");
        stable &= Check("limit partitions", early.Max(s => s.LimitPartitions), late.Max(s => s.LimitPartitions), 1.5, 64, v => v.ToString(), "");
        Console.WriteLine(stable ? "Stable: nothing grew beyond noise over the run." : "NOT stable: see the lines marked GREW.");
        return stable;
    }

    /// <summary>Stable when the late peak stays within <paramref name="ratio"/> of the early peak plus <paramref name="slack"/>.</summary>
    private static bool Check(string what, long early, long late, double ratio, long slack, Func<long, string> format, string unit)
    {
        bool ok = late <= (early * ratio) + slack;
        Console.WriteLine($"  {(ok ? "stable" : "GREW  ")}  {what,-22} peak {format(early)} {unit} in the first half of the measured run, {format(late)} {unit} in the second");
        return ok;
    }
}
