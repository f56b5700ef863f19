using System.Collections.Concurrent;

namespace Resilience.Hosting.Tests.Http;

/// <summary>Keeps the retries and changes of circuit state the registry reports, for the policies of one name.</summary>
public sealed class RecordingListener(string policyName) : ResilienceListener
{
    private readonly ConcurrentQueue<RetryEventArgs> _retries = new();
    private readonly ConcurrentQueue<CircuitStateChangedEventArgs> _stateChanges = new();

    public IReadOnlyList<RetryEventArgs> Retries => _retries.ToArray();

    public IReadOnlyList<CircuitStateChangedEventArgs> StateChanges => _stateChanges.ToArray();

    public override void OnRetry(RetryEventArgs e)
    {
        if (e.PolicyName == policyName)
        {
            _retries.Enqueue(e);
        }
    }

    public override void OnCircuitStateChanged(CircuitStateChangedEventArgs e)
    {
        if (e.Name == policyName)
        {
            _stateChanges.Enqueue(e);
        }
    }
}
