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

    // The results below are above 1000: Task.FromResult of a small int is a cached task, which would make a new task
    // and the core's the same instance.
    [Fact]
    public void A_synchronous_result_comes_back_as_the_very_task_the_core_returned()
    {
        Task<int> core = Task.FromResult(1007);
        long call = TaskHandOff<int>.Open();
        TaskHandOff<int>.Set(core, call);

        Task<int> task = TaskHandOff<int>.ToTask(new ValueTask<int>(1007), call);

        Assert.Same(core, task);
    }

    [Fact]
    public async Task The_task_left_is_taken_once_and_forgotten()
    {
        Task<int> core = Task.FromResult(1007);
        long first = TaskHandOff<int>.Open();
        TaskHandOff<int>.Set(core, first);
        Assert.Same(core, TaskHandOff<int>.ToTask(new ValueTask<int>(1007), first));

        // The same number again (which no generated call does) finds nothing left either.
        Task<int> again = TaskHandOff<int>.ToTask(new ValueTask<int>(1008), first);
        Task<int> next = TaskHandOff<int>.ToTask(new ValueTask<int>(1009), TaskHandOff<int>.Open());

        Assert.NotSame(core, again);
        Assert.Equal(1008, await again);
        Assert.NotSame(core, next);
        Assert.True(next.IsCompletedSuccessfully);
        Assert.Equal(1009, await next);
    }

    [Fact]
    public async Task Without_a_task_left_a_synchronous_result_comes_back_in_a_new_completed_task()
    {
        long call = TaskHandOff<string>.Open(); // and a fallback answers: no task of the core's is left

        Task<string> task = TaskHandOff<string>.ToTask(new ValueTask<string>("cached"), call);

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal("cached", await task);
    }

    [Fact]
    public async Task A_helper_still_running_is_followed_and_what_it_leaves_when_it_ends_is_dropped()
    {
        long call = TaskHandOff<int>.Open();
        var pending = new TaskCompletionSource<int>();

        Task<int> task = TaskHandOff<int>.ToTask(new ValueTask<int>(pending.Task), call);

        Assert.False(task.IsCompleted);

        // Its helper, finishing later on this thread, leaves its task: no later call may find it.
        Task<int> late = Task.FromResult(1042);
        TaskHandOff<int>.Set(late, call);
        pending.SetResult(1042);
        long next = TaskHandOff<int>.Open();
        Assert.NotSame(late, TaskHandOff<int>.ToTask(new ValueTask<int>(1043), next));
        Assert.Equal(1042, await task.WaitAsync(TestSupport.HangGuard));
    }

    [Fact]
    public async Task A_failed_helper_hands_back_its_failure()
    {
        long call = TaskHandOff<int>.Open();
        var failure = new TimeoutException();

        Task<int> task = TaskHandOff<int>.ToTask(new ValueTask<int>(Task.FromException<int>(failure)), call);

        Assert.Same(failure, await Assert.ThrowsAsync<TimeoutException>(() => task));
    }

    [Fact]
    public async Task A_call_whose_helper_finished_on_another_thread_gets_its_own_result_not_a_task_another_call_left_here()
    {
        // Call a: its helper suspends, its method returns; the helper then finishes on this thread and leaves its task.
        long a = TaskHandOff<int>.Open();
        var pendingA = new TaskCompletionSource<int>();
        Task<int> taskA = TaskHandOff<int>.ToTask(new ValueTask<int>(pendingA.Task), a);
        Task<int> coreA = Task.FromResult(1001);
        TaskHandOff<int>.Set(coreA, a);
        pendingA.SetResult(1001);

        // Call b: its helper suspends, finishes on another thread (leaving its task there), and has completed by the
        // time its method looks at it.
        long b = TaskHandOff<int>.Open();
        Task<int> coreB = Task.FromResult(1002);
        OnAnotherThread(() => TaskHandOff<int>.Set(coreB, b));
        Task<int> taskB = TaskHandOff<int>.ToTask(new ValueTask<int>(1002), b);

        Assert.Equal(1001, await taskA);
        Assert.Equal(1002, await taskB);
        Assert.NotSame(coreA, taskB);
        Assert.NotSame(coreB, taskB);
    }

    [Fact]
    public async Task A_call_made_inside_another_hands_back_its_own_task_and_the_outer_call_gets_its_own_result()
    {
        long outer = TaskHandOff<int>.Open();

        // Inside the outer helper's synchronous part: one call of the same type that completes synchronously...
        long inner = TaskHandOff<int>.Open();
        Task<int> innerCore = Task.FromResult(1001);
        TaskHandOff<int>.Set(innerCore, inner);
        Assert.Same(innerCore, TaskHandOff<int>.ToTask(new ValueTask<int>(1001), inner));

        // ...and one whose helper suspends, then finishes on this thread while the outer helper still runs.
        long suspended = TaskHandOff<int>.Open();
        var pending = new TaskCompletionSource<int>();
        Task<int> suspendedTask = TaskHandOff<int>.ToTask(new ValueTask<int>(pending.Task), suspended);
        Task<int> suspendedCore = Task.FromResult(1002);
        TaskHandOff<int>.Set(suspendedCore, suspended);
        pending.SetResult(1002);

        // The outer helper then finishes on another thread.
        Task<int> outerTask = TaskHandOff<int>.ToTask(new ValueTask<int>(1003), outer);

        Assert.Equal(1002, await suspendedTask);
        Assert.Equal(1003, await outerTask);
        Assert.NotSame(innerCore, outerTask);
        Assert.NotSame(suspendedCore, outerTask);
    }

    [Fact]
    public void A_task_left_for_a_call_is_not_taken_on_another_thread()
    {
        Task<int> core = Task.FromResult(1005);
        long call = TaskHandOff<int>.Open();
        TaskHandOff<int>.Set(core, call);

        Task<int>? elsewhere = null;
        OnAnotherThread(() => elsewhere = TaskHandOff<int>.ToTask(new ValueTask<int>(1005), call));

        Assert.NotSame(core, elsewhere);
        Assert.Same(core, TaskHandOff<int>.ToTask(new ValueTask<int>(1005), call));
    }

    [Fact]
    public void Call_numbers_are_never_zero_and_never_repeat_across_threads()
    {
        const int Threads = 4;
        int each = (int)CallNumbers.Block * 3;
        long[][] numbers = new long[Threads][];
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int index = t;
            threads[t] = new Thread(() =>
            {
                numbers[index] = new long[each];
                for (int i = 0; i < each; i++)
                {
                    numbers[index][i] = TaskHandOff<int>.Open();
                }
            });
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(TestSupport.HangGuard));
        }

        long[] all = numbers.SelectMany(n => n).ToArray();
        Assert.Equal(Threads * each, all.Distinct().Count());
        Assert.DoesNotContain(0L, all);
        Assert.All(numbers, n => Assert.Equal(n.Order().ToArray(), n)); // each thread's are increasing
    }

    /// <summary>Runs <paramref name="action"/> on a thread of its own and waits for it (an await could move this test to another thread).</summary>
    private static void OnAnotherThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        Assert.True(thread.Join(TestSupport.HangGuard));
    }
}
