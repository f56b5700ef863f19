using System;
using System.ComponentModel;

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
    /// Lets go of a result that was handled as a failure and will not be returned: disposes it when it is
    /// <see cref="IDisposable"/> (an <c>HttpResponseMessage</c> frees its connection). For generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Discard(T result)
    {
        if (result is IDisposable disposable)
        {
            disposable.Dispose();
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
