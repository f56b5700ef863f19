namespace Resilience;

/// <summary>What chaos injected into an attempt (see <see cref="ChaosSettings"/>).</summary>
public enum ChaosInjection
{
    /// <summary>A <see cref="ChaosInjectedException"/> thrown in place of the attempt. Tagged <c>fault</c>.</summary>
    Fault,

    /// <summary>A delay before the attempt. Tagged <c>latency</c>.</summary>
    Latency,

    /// <summary>An <c>HttpResponseMessage</c> returned in place of the attempt. Tagged <c>outcome</c>.</summary>
    Outcome,
}
