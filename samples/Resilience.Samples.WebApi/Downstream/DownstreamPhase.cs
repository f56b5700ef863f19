namespace Resilience.Samples.WebApi.Downstream;

/// <summary>How a simulated service answers at a given moment.</summary>
public enum DownstreamPhase
{
    /// <summary>Answers at once.</summary>
    Healthy,

    /// <summary>Answers 503 Service Unavailable at once.</summary>
    Failing,

    /// <summary>Answers after <see cref="DownstreamOptions.SlowResponseMs"/>, longer than any caller's timeout.</summary>
    Slow,

    /// <summary>Answers, but one request in <see cref="DownstreamOptions.RecoveringFailureEvery"/> fails with 503.</summary>
    Recovering,
}

/// <summary>What decides a simulated service's phase: its schedule, or a phase forced by hand.</summary>
public enum DownstreamMode
{
    /// <summary>The schedule: healthy, failing, slow, recovering, and again, on the application's clock.</summary>
    Auto,

    /// <summary>Always <see cref="DownstreamPhase.Healthy"/>.</summary>
    Healthy,

    /// <summary>Always <see cref="DownstreamPhase.Failing"/>.</summary>
    Failing,

    /// <summary>Always <see cref="DownstreamPhase.Slow"/>.</summary>
    Slow,

    /// <summary>Always <see cref="DownstreamPhase.Recovering"/>.</summary>
    Recovering,
}
