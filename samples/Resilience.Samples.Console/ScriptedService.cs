namespace Resilience.Samples;

/// <summary>A stand-in for a remote service that answers from a script: succeed, fail, or hang.</summary>
public sealed class ScriptedService
{
    private readonly Queue<Step> _script = new();

    public enum Step
    {
        Succeed,
        Fail,
        Hang,
    }

    public int Calls { get; private set; }

    public void Script(params Step[] steps)
    {
        foreach (Step step in steps)
        {
            _script.Enqueue(step);
        }
    }

    public async Task<int> CallAsync(int answer, CancellationToken ct)
    {
        Calls++;
        Step step = _script.Count > 0 ? _script.Dequeue() : Step.Succeed;
        switch (step)
        {
            case Step.Fail:
                throw new HttpRequestException("503 Service Unavailable");
            case Step.Hang:
                await Task.Delay(Timeout.Infinite, ct);
                break;
        }

        return answer;
    }
}
