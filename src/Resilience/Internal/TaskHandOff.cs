using System.ComponentModel;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// Turns the <see cref="ValueTask"/> of a generated method's async helper into the <see cref="Task"/> the method
/// returns, without allocating when the helper completed synchronously.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TaskHandOff
{
    /// <summary><see cref="Task.CompletedTask"/> when <paramref name="pending"/> completed successfully; its task otherwise.</summary>
    public static Task ToTask(ValueTask pending) => pending.IsCompletedSuccessfully ? Task.CompletedTask : pending.AsTask();
}

/// <summary>
/// Lets a generated <c>Task&lt;T&gt;</c> method return the very task its <c>{Name}Core</c> returned when the whole
/// call completed synchronously, instead of allocating a new one. The method names the call with <see cref="Open"/>
/// and gives that number to its helper; the helper leaves the task under it with <see cref="Set"/> just before it
/// returns; the method then takes it back with <see cref="ToTask"/>, on the same thread, only if it was left under
/// the same number.
/// </summary>
/// <remarks>
/// The number is what keeps one call's task from answering another. A helper that finished asynchronously calls
/// <see cref="Set"/> on whichever thread ran its continuation, after its method has returned; and a helper can finish
/// on another thread between the moment it suspends and the moment its method looks at it. Without the number, the
/// method would find, on its own thread, a task left there by some other call. With it, a task is kept only for the
/// call the thread is waiting on, and taken only by that call.
/// </remarks>
/// <typeparam name="T">The task's result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TaskHandOff<T>
{
    [System.ThreadStatic]
    private static Task<T>? t_task;

    [System.ThreadStatic]
    private static long t_call;

    /// <summary>
    /// Names a call, on the thread that makes it, before its helper starts: a number no other call has had, which
    /// this thread now waits on.
    /// </summary>
    public static long Open() => t_call = CallNumbers.Next();

    /// <summary>
    /// Leaves the task whose result the helper of <paramref name="call"/> is about to return, if this thread is still
    /// waiting on that call (the helper is completing synchronously); drops it otherwise, so that no thread keeps a
    /// task it will never hand back.
    /// </summary>
    public static void Set(Task<T>? task, long call)
    {
        if (t_call == call)
        {
            t_task = task;
        }
    }

    /// <summary>
    /// The task for the helper's <paramref name="pending"/> result: when it completed successfully, the task its
    /// helper left for <paramref name="call"/> on this thread (or, if none, a new completed one); its task otherwise.
    /// </summary>
    public static Task<T> ToTask(ValueTask<T> pending, long call)
    {
        Task<T>? task = null;
        if (t_call == call)
        {
            task = t_task;
            t_task = null;
            t_call = 0;
        }

        return !pending.IsCompletedSuccessfully ? pending.AsTask() : task ?? Task.FromResult(pending.Result);
    }
}

/// <summary>
/// Numbers for <see cref="TaskHandOff{T}.Open"/>, never the same twice in a process and never 0: each thread takes a
/// block of them at a time from a shared counter, so that numbering a call costs one atomic operation per block, not
/// per call.
/// </summary>
internal static class CallNumbers
{
    /// <summary>How many numbers a thread takes at a time.</summary>
    internal const long Block = 1024;

    private static long s_taken;

    [System.ThreadStatic]
    private static long t_next;

    [System.ThreadStatic]
    private static long t_end;

    /// <summary>A number no call has had.</summary>
    public static long Next()
    {
        if (t_next == t_end)
        {
            t_end = System.Threading.Interlocked.Add(ref s_taken, Block);
            t_next = t_end - Block;
        }

        return ++t_next;
    }
}
