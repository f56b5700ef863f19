using System.Collections.Concurrent;

namespace Resilience.Samples.WebApi.Downstream;

/// <summary>
/// The simulated broker's memory of the message ids it has taken: like a broker with idempotent producers, it
/// keeps one message per id, so that a publish repeated by a retry (or by the client) adds nothing.
/// </summary>
public sealed class SimulatedBroker
{
    private const int Remembered = 10_000;
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    /// <summary>Takes a message; false when a message of this id was taken already.</summary>
    public bool TryAccept(string id)
    {
        if (_ids.Count >= Remembered)
        {
            // A window is enough for a demonstration; a real broker keeps ids for a set time.
            _ids.Clear();
        }

        return _ids.TryAdd(id, 0);
    }
}
