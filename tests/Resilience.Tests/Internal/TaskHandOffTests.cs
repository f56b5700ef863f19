namespace Resilience.Tests.Internal;

public sealed class TaskHandOffTests
{
    [Fact]
    public async Task A_helper_that_completed_successfully_hands_back_the_shared_completed_task()
    {
        Task task = TaskHandOff.ToTask(default);

        Assert.Same(Task.CompletedTask, task);

        // A helper that completed on a task of its own (an async method that finished at once) hands back the shared
        // task too, not its own: the caller's await is then the cheapest there is, whatever the helper returned.
        Task finished = Task.Run(() => { });
        await finished;
        Assert.Same(Task.CompletedTask, TaskHandOff.ToTask(new ValueTask(finished)));
    }

    [Fact]
    public async Task A_helper_still_running_hands_back_a_task_that_completes_with_it()
    {
        var pending = new TaskCompletionSource();

        Task task = TaskHandOff.ToTask(new ValueTask(pending.Task));

        Assert.False(task.IsCompleted);
        pending.SetResult();
        await task.WaitAsync(TestSupport.HangGuard);
    }

    [Fact]
    public async Task A_helper_that_failed_hands_back_its_failure()
    {
        var failure = new InvalidOperationException("boom");

        Task task = TaskHandOff.ToTask(new ValueTask(Task.FromException(failure)));

        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => task));
    }

    [Fact]
    public void A_synchronous_result_comes_back_as_the_very_task_the_core_returned()
    {
        Task<int> core = Task.FromResult(7);
        TaskHandOff<int>.Set(core);

        Task<int> task = TaskHandOff<int>.ToTask(new ValueTask<int>(7));

        Assert.Same(core, task);
    }

    [Fact]
    public async Task The_task_left_is_taken_once_and_forgotten()
    {
        Task<int> core = Task.FromResult(7);
        TaskHandOff<int>.Set(core);
        Assert.Same(core, TaskHandOff<int>.ToTask(new ValueTask<int>(7)));

        Task<int> next = TaskHandOff<int>.ToTask(new ValueTask<int>(8));

        Assert.NotSame(core, next);
        Assert.True(next.IsCompletedSuccessfully);
        Assert.Equal(8, await next);
        Assert.Null(TaskHandOff<int>.Take());
    }

    [Fact]
    public async Task Without_a_task_left_a_synchronous_result_comes_back_in_a_new_completed_task()
    {
        TaskHandOff<string>.Set(null); // a fallback answered: no task of the core's

        Task<string> task = TaskHandOff<string>.ToTask(new ValueTask<string>("cached"));

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal("cached", await task);
    }

    [Fact]
    public async Task A_helper_still_running_is_followed_and_the_task_left_stays_for_its_own_call()
    {
        Task<int> left = Task.FromResult(1);
        TaskHandOff<int>.Set(left);
        var pending = new TaskCompletionSource<int>();

        Task<int> task = TaskHandOff<int>.ToTask(new ValueTask<int>(pending.Task));

        Assert.False(task.IsCompleted);
        pending.SetResult(42);
        Assert.Equal(42, await task.WaitAsync(TestSupport.HangGuard));
        Assert.Same(left, TaskHandOff<int>.Take());
    }

    [Fact]
    public async Task A_failed_helper_hands_back_its_failure_not_a_task_left_before()
    {
        TaskHandOff<int>.Set(Task.FromResult(1));
        var failure = new TimeoutException();

        Task<int> task = TaskHandOff<int>.ToTask(new ValueTask<int>(Task.FromException<int>(failure)));

        Assert.Same(failure, await Assert.ThrowsAsync<TimeoutException>(() => task));
        TaskHandOff<int>.Set(null);
    }

    [Fact]
    public void A_task_left_on_one_thread_is_not_taken_on_another()
    {
        Task<int> core = Task.FromResult(5);
        TaskHandOff<int>.Set(core);
        Task<int>? elsewhere = core;

        var other = new Thread(() => elsewhere = TaskHandOff<int>.Take());
        other.Start();
        Assert.True(other.Join(TestSupport.HangGuard));

        Assert.Null(elsewhere);
        Assert.Same(core, TaskHandOff<int>.Take());
    }
}
