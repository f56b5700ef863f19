using System.Reflection;
using Resilience;

namespace Resilience.NetStandard.Tests;

/// <summary>
/// What a call with a timeout allocates on the runtime's netstandard2.0 build, which cannot reset a
/// <see cref="CancellationTokenSource"/> (the net8.0 build resets and reuses it: 0 bytes, see the runtime's AllocationTests).
/// </summary>
[Collection(DefaultRegistry.Name)]
public sealed class TimeoutAllocationTests
{
    private const int Iterations = 10_000;

    [Fact]
    public void This_is_the_netstandard2_0_build()
    {
        string? framework = typeof(ResilienceRegistry).Assembly.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()?.FrameworkName;
        Assert.Equal(".NETStandard,Version=v2.0", framework);
    }

    [Fact]
    public void A_timeout_that_does_not_fire_allocates_one_cancellation_source_and_nothing_else()
    {
        long perCall = AllocatedBytesPerCall(static () =>
        {
            TimeoutCancellationSource timeout = ResilienceRegistry.Default.StartTimeout(TimeSpan.FromHours(1), CancellationToken.None);
            timeout.Return();
        });

        Assert.Equal(CancellationSourceBytes(), perCall);
    }

    [Fact]
    public void A_timeout_linked_to_the_callers_token_allocates_one_cancellation_source_and_nothing_else()
    {
        using var caller = new CancellationTokenSource();
        CancellationToken token = caller.Token;
        long perCall = AllocatedBytesPerCall(() =>
        {
            TimeoutCancellationSource timeout = ResilienceRegistry.Default.StartTimeout(TimeSpan.FromHours(1), token);
            timeout.Return();
        });

        Assert.Equal(CancellationSourceBytes(), perCall);
    }

    /// <summary>What one new, unused <see cref="CancellationTokenSource"/> takes on this runtime.</summary>
    private static long CancellationSourceBytes()
        => AllocatedBytesPerCall(static () => GC.KeepAlive(new CancellationTokenSource()));

    private static long AllocatedBytesPerCall(Action operation)
    {
        for (int i = 0; i < 1_000; i++)
        {
            operation();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            operation();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Iterations;
    }
}
