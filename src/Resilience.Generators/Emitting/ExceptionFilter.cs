using System.Collections.Generic;
using System.Linq;

namespace Resilience.Generators;

/// <summary>The exception filters of the policies that look at failures: the fallback, the retry and the breaker.</summary>
internal static class ExceptionFilter
{
    /// <summary>
    /// A filter on <paramref name="error"/>: not the caller's cancellation (nor a rejection, when asked), then none of
    /// <paramref name="ignore"/>, then one of <paramref name="handle"/>. "true" when nothing is excluded.
    /// </summary>
    /// <param name="token">The caller's token, whose cancellation is never a failure; null when the method has none.</param>
    public static string Condition(string error, string? token, bool rejections, EquatableArray<string> handle, EquatableArray<string> ignore)
    {
        var parts = new List<string>();
        if (rejections)
        {
            parts.Add($"!({error} is {Literals.Runtime}ResilienceRejectedException)");
        }

        if (token is not null)
        {
            parts.Add($"!({error} is {Literals.OperationCanceled} && {token}.IsCancellationRequested)");
        }

        if (!ignore.IsEmpty)
        {
            parts.Add("!(" + string.Join(" || ", ignore.Select(t => $"{error} is {t}")) + ")");
        }

        if (!handle.IsEmpty)
        {
            parts.Add("(" + string.Join(" || ", handle.Select(t => $"{error} is {t}")) + ")");
        }

        return parts.Count == 0 ? "true" : string.Join(" && ", parts);
    }
}
