using System.ComponentModel;

namespace Resilience;

/// <summary>What an asynchronous look-up of a cached fallback found: a result, or nothing.</summary>
/// <typeparam name="TResult">The method's result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct CachedFallbackAnswer<TResult>
{
    internal CachedFallbackAnswer(TResult result)
    {
        Result = result;
        Found = true;
    }

    /// <summary>True when a result younger than the cache's duration was found.</summary>
    public bool Found { get; }

    /// <summary>The result found; the default when none was.</summary>
    public TResult Result { get; }
}
