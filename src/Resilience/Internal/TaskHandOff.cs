using System.ComponentModel;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// Lets a generated <c>Task&lt;T&gt;</c> method return the very task its <c>{Name}Core</c> returned when the whole
/// call completed synchronously, instead of allocating a new one: the generated helper leaves the task here just
/// before it returns, and the method takes it back on the same thread at once.
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
}
