using System;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience.Redis;

/// <summary>The one wait every Redis store of this package bounds its operations with (<see cref="RedisResilienceOptions.OperationTimeout"/>).</summary>
internal static class RedisTimeout
{
    /// <summary>
    /// The task's result, or a <see cref="TimeoutException"/> when it does not complete within <paramref name="timeout"/>
    /// (the task is then left to finish on its own, its failure observed), or an <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> is cancelled first.
    /// </summary>
    public static async Task<T> WaitAsync<T>(Task<T> task, TimeSpan timeout, CancellationToken cancellationToken)
    {
#if NET8_0_OR_GREATER
        try
        {
            return await task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException && !task.IsCompleted)
        {
            Observe(task);
            throw;
        }
#else
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task first = await Task.WhenAny(task, Task.Delay(timeout, timer.Token)).ConfigureAwait(false);
        if (first != task)
        {
            Observe(task);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"Redis did not answer within {timeout.TotalMilliseconds} ms (RedisResilienceOptions.OperationTimeout).");
        }

        timer.Cancel();
        return await task.ConfigureAwait(false);
#endif
    }

    /// <summary>Keeps an abandoned task's exception from going unobserved.</summary>
    public static void Observe(Task task) => task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
