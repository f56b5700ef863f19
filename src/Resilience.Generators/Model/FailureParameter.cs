namespace Resilience.Generators;

/// <summary>What a method that hears of a failure (a fallback, an <c>OnRetry</c> hook) takes to describe it.</summary>
internal enum FailureParameter
{
    /// <summary>Nothing: the fallback takes the method's parameters only.</summary>
    None,

    /// <summary>An <c>Exception</c>: a failed result reaches it as a <c>HandledResultException</c>, created, never thrown.</summary>
    Exception,

    /// <summary>An <c>Outcome&lt;T&gt;</c>: the result that failed, or the exception.</summary>
    Outcome,
}
