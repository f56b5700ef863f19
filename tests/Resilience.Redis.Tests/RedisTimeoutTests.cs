using System.Runtime.CompilerServices;

namespace Resilience.Redis.Tests;

/// <summary>The one wait every Redis store bounds its operations with: a timeout, the caller's cancellation, an abandoned operation's failure.</summary>
public sealed class RedisTimeoutTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_operation_that_takes_too_long_is_a_TimeoutException()
    {
        var never = new TaskCompletionSource<string>();

        await Assert.ThrowsAsync<TimeoutException>(() => RedisTimeout.WaitAsync(never.Task, TimeSpan.FromMilliseconds(20), CancellationToken.None).WaitAsync(Patience));
    }

    [Fact]
    public async Task An_operation_that_answers_in_time_returns_its_answer()
    {
        Assert.Equal("pong", await RedisTimeout.WaitAsync(Task.FromResult("pong"), TimeSpan.FromMilliseconds(1), CancellationToken.None));
    }

    [Fact]
    public async Task The_callers_cancellation_ends_the_wait_before_the_timeout()
    {
        var never = new TaskCompletionSource<string>();
        using var cancellation = new CancellationTokenSource();

        Task<string> waiting = RedisTimeout.WaitAsync(never.Task, TimeSpan.FromHours(1), cancellation.Token);
        cancellation.Cancel();

        OperationCanceledException error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));
        Assert.Equal(cancellation.Token, error.CancellationToken);
    }

    [Fact]
    public async Task An_answer_that_comes_while_the_callers_thread_is_blocked_still_completes_the_wait()
    {
        var answer = new TaskCompletionSource<string>();
        var ui = new BlockedSynchronizationContext();

        Task<string> waiting = ui.Start(() => RedisTimeout.WaitAsync(answer.Task, TimeSpan.FromHours(1), CancellationToken.None));
        answer.SetResult("pong");

        Assert.Equal("pong", await waiting.WaitAsync(Patience));
    }

    [Fact]
    public async Task The_failure_of_an_operation_abandoned_after_its_timeout_is_not_reported_as_unobserved()
    {
        var failure = new InvalidOperationException("the abandoned operation failed late");
        bool reported = false;
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception.InnerExceptions.Contains(failure))
            {
                reported = true;
                e.SetObserved();
            }
        };

        TaskScheduler.UnobservedTaskException += handler;
        try
        {
            WeakReference<Task<string>> abandoned = await AbandonAfterTimeoutThenFailAsync(failure);
            for (int i = 0; i < 20 && abandoned.TryGetTarget(out _); i++)
            {
                await Task.Delay(10);
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();

            Assert.False(abandoned.TryGetTarget(out _), "The abandoned operation was never collected, so the test could not tell.");
            Assert.False(reported, "The abandoned operation's failure reached TaskScheduler.UnobservedTaskException.");
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= handler;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference<Task<string>>> AbandonAfterTimeoutThenFailAsync(Exception failure)
    {
        var operation = new TaskCompletionSource<string>();
        await Assert.ThrowsAsync<TimeoutException>(() => RedisTimeout.WaitAsync(operation.Task, TimeSpan.FromMilliseconds(1), CancellationToken.None));
        operation.SetException(failure);
        return new WeakReference<Task<string>>(operation.Task);
    }
}
