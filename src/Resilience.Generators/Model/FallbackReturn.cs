namespace Resilience.Generators;

/// <summary>How the fallback method's result is turned into the resilient method's.</summary>
internal enum FallbackReturn
{
    /// <summary>Returns the result directly (T, or nothing).</summary>
    Direct,

    /// <summary>Returns an awaitable (Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt;) to await.</summary>
    Awaitable,
}
