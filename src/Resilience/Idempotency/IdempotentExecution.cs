using System;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// The run of one key in this process, which the other calls with the key wait for: it ends with the result's bytes
/// (they answer with it), with a failure (they share it), or with nothing (the run was cancelled by its own caller or
/// its result was not kept: they try again, and one of them runs the key).
/// </summary>
internal sealed class IdempotentExecution
{
    private readonly TaskCompletionSource<byte[]?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Waits for the run's end, or until <paramref name="cancellationToken"/> stops this caller's wait (the run goes on).</summary>
    /// <returns>The result's bytes; null when the caller must try again.</returns>
    /// <exception cref="OperationCanceledException">The caller's token was cancelled while it waited.</exception>
    public async Task<byte[]?> WaitAsync(CancellationToken cancellationToken)
    {
        Task<byte[]?> done = _done.Task;
        if (!cancellationToken.CanBeCanceled || done.IsCompleted)
        {
            return await done.ConfigureAwait(false);
        }

        var canceled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), canceled))
        {
            if (await Task.WhenAny(done, canceled.Task).ConfigureAwait(false) != done)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return await done.ConfigureAwait(false);
    }

    /// <summary>Ends the run with its result, or with null for "try again".</summary>
    public void End(byte[]? result) => _done.TrySetResult(result);

    /// <summary>Ends the run with a failure the waiting calls share.</summary>
    public void End(Exception failure) => _done.TrySetException(failure);
}
