using System;
using System.ComponentModel;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// What one attempt of a call ended with: the result it returned, or the exception it failed with. Fallback
/// methods and <c>OnRetry</c> hooks may take it to see a
/// failed result as well as an exception.
/// </summary>
/// <typeparam name="T">The result's type: <c>T</c> of a method returning <c>T</c>, <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c>.</typeparam>
public readonly struct Outcome<T>
{
    private readonly T _result;

    internal Outcome(T result, Exception? exception)
    {
        _result = result;
        Exception = exception;
    }

    /// <summary>The result the attempt returned; <c>default</c> when it failed with an exception.</summary>
    public T Result => _result;

    /// <summary>The exception the attempt failed with; null when it returned a result.</summary>
    public Exception? Exception { get; }

    /// <summary>True when the attempt failed with an exception rather than returning a result.</summary>
    public bool IsException => Exception is not null;

    /// <summary>An outcome that returned <paramref name="result"/>.</summary>
    public static Outcome<T> FromResult(T result) => new(result, null);

    /// <summary>An outcome that failed with <paramref name="exception"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public static Outcome<T> FromException(Exception exception) => new(default!, exception ?? throw new ArgumentNullException(nameof(exception)));

    /// <summary>
    /// Lets go of a result that will not be returned (handled as a failure, or a losing hedged attempt's): disposes
    /// it when it is <see cref="IDisposable"/> (an <c>HttpResponseMessage</c> frees its connection), or starts its
    /// <see cref="IAsyncDisposable.DisposeAsync"/> when it is only <see cref="IAsyncDisposable"/>. For generated code.
    /// </summary>
    /// <remarks>
    /// An asynchronous disposal is not waited for: nobody awaits a result let go of, and the call goes on at once.
    /// Its failure, at once or later, is observed (it never becomes an unobserved task exception) and ignored.
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Discard(T result)
    {
        if (result is IDisposable disposable)
        {
            disposable.Dispose();
        }
        else if (result is IAsyncDisposable asyncDisposable)
        {
            StartDisposal(asyncDisposable);
        }
    }

    private static void StartDisposal(IAsyncDisposable disposable)
    {
        ValueTask disposal;
        try
        {
            disposal = disposable.DisposeAsync();
        }
        catch (Exception)
        {
            // As a disposal that fails later: nobody would see it.
            return;
        }

        if (disposal.IsCompletedSuccessfully)
        {
            // A value task is consumed once, whatever backs it.
            disposal.GetAwaiter().GetResult();
            return;
        }

        _ = ObserveAsync(disposal);
    }

    private static async Task ObserveAsync(ValueTask disposal)
    {
        try
        {
            await disposal.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Observed: the result was let go of, and its disposal's failure changes nothing for the call.
        }
    }

    /// <summary>"exception: {type}: {message}" or "result: {result}".</summary>
    public override string ToString()
        => Exception is { } exception ? $"exception: {exception.GetType().Name}: {exception.Message}" : "result: " + OutcomeText.Describe(_result);
}

/// <summary>How outcomes are shown in messages.</summary>
internal static class OutcomeText
{
    /// <summary>A result as messages show it: an HTTP response by its status, anything else by <see cref="object.ToString"/>.</summary>
    public static string Describe<T>(T result) => result switch
    {
        null => "null",
        System.Net.Http.HttpResponseMessage response => HttpOutcomes.Describe(response),
        _ => result.ToString() ?? result.GetType().Name,
    };
}
