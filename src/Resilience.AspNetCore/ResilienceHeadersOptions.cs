using System;

namespace Resilience.AspNetCore;

/// <summary>
/// Settings of <see cref="ResilienceHeadersFilter"/>; configure them with
/// <c>services.Configure&lt;ResilienceHeadersOptions&gt;(options =&gt; ...)</c>.
/// </summary>
public sealed class ResilienceHeadersOptions
{
    private Func<string, bool> _exposeCircuitBreakerName = PolicyNames.IsChosenName;

    /// <summary>
    /// Decides whether a circuit breaker's name may be sent to the client in <c>X-Circuit-Breaker</c>. The default
    /// allows every name except those that look like code: identifiers joined by dots, as the default name
    /// <c>Namespace.Type.Method</c> of a breaker without a <see cref="CircuitBreakerAttribute.Name"/> is. Give the
    /// breakers names such as <c>"payments"</c> or <c>"orders-db"</c> to see them, or set a predicate of your own
    /// (<c>_ =&gt; false</c> sends none).
    /// </summary>
    /// <remarks>
    /// Whatever the predicate says, a name is only sent when it is printable ASCII without a comma, so that the
    /// header stays valid and its list readable.
    /// </remarks>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public Func<string, bool> ExposeCircuitBreakerName
    {
        get => _exposeCircuitBreakerName;
        set => _exposeCircuitBreakerName = value ?? throw new ArgumentNullException(nameof(value));
    }
}
