namespace Resilience.Redis.Tests;

/// <summary>The servers every distributed test runs against: behaviour must be the same on both.</summary>
public enum ServerKind
{
    /// <summary>Microsoft.Garnet, embedded in the test process: always there.</summary>
    Garnet,

    /// <summary>A real <c>redis-server</c>, started by the fixture when it is on PATH.</summary>
    Redis,
}
