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
/// call completed synchronously, instead of allocating a new one: the generated helper leaves the task here just
/// before it returns, and the method takes it back on the same thread at once (see <see cref="ToTask"/>).
/// </summary>
/// <typeparam name="T">The task's result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TaskHandOff<T>
{
    [System.ThreadStatic]
    private static Task<T>? t_task;

    /// <summary>Leaves the task whose result is about to be returned; null when the result came from elsewhere (a fallback).</summary>
    public static void Set(Task<T>? task) => t_task = task;

    /// <summary>Takes the task left by <see cref="Set"/> on this thread, and clears it.</summary>
    public static Task<T>? Take()
    {
        Task<T>? task = t_task;
        t_task = null;
        return task;
    }

    /// <summary>
    /// The task for the helper's <paramref name="pending"/> result: when it completed successfully, the task left by
    /// <see cref="Set"/> (or, if none, a new completed one); its task otherwise.
    /// </summary>
    public static Task<T> ToTask(ValueTask<T> pending)
        => pending.IsCompletedSuccessfully ? Take() ?? Task.FromResult(pending.Result) : pending.AsTask();
}
