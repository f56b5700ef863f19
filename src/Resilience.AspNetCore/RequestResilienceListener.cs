using System.Collections.Generic;

namespace Resilience.AspNetCore;

/// <summary>
/// Marks the <see cref="RequestResilience.Current"/> request with the fallbacks and breaker rejections of its
/// calls. One is registered per <see cref="ResilienceRegistry"/>, the first time a <see cref="ResilienceHeadersFilter"/>
/// is made for it, and stays registered as long as the registry lives (the whole process, for
/// <see cref="ResilienceRegistry.Default"/>): filters come and go with endpoints and applications, the registry's
/// events do not.
/// </summary>
/// <remarks>
/// Outside a request that runs the filter it reads an <see cref="System.Threading.AsyncLocal{T}"/> and returns. Like
/// any listener, it is only called on the paths where something happened, never on a call that succeeds at once.
/// </remarks>
internal sealed class RequestResilienceListener : ResilienceListener
{
    private static readonly object s_gate = new();
    private static readonly List<ResilienceRegistry> s_registries = new();

    private RequestResilienceListener()
    {
    }

    /// <summary>Registers the listener with <paramref name="registry"/> unless it is registered already.</summary>
    public static void EnsureRegistered(ResilienceRegistry registry)
    {
        lock (s_gate)
        {
            foreach (ResilienceRegistry registered in s_registries)
            {
                if (ReferenceEquals(registered, registry))
                {
                    return;
                }
            }

            // Never disposed: see the remarks of the class.
            registry.AddListener(new RequestResilienceListener());
            s_registries.Add(registry);
        }
    }

    public override void OnFallback(FallbackEventArgs e) => RequestResilience.Current?.RecordFallback();

    public override void OnRejected(RejectionEventArgs e)
    {
        if (e.Kind == PolicyKind.CircuitBreaker)
        {
            RequestResilience.Current?.RecordBreaker(e.PolicyName);
        }
    }
}
