namespace Resilience.Samples;

/// <summary>A stand-in for a remote service that answers from a script: succeed, fail, or stall for five seconds.</summary>
public sealed class ScriptedService
{
    /// <summary>How long a stalled call takes when nothing cancels it.</summary>
    public static readonly TimeSpan StallTime = TimeSpan.FromSeconds(5);

    private readonly Queue<Step> _script = new();
    private readonly object _gate = new();

    public enum Step
    {
        Succeed,
        Fail,
        Stall,
    }

    public int Calls { get; private set; }

    public int Successes { get; private set; }

    public void Script(params Step[] steps)
    {
        lock (_gate)
        {
            foreach (Step step in steps)
            {
                _script.Enqueue(step);
            }
        }
    }

    public async Task<int> CallAsync(int answer, CancellationToken ct)
    {
        Step step;
        lock (_gate)
        {
            Calls++;
            step = _script.Count > 0 ? _script.Dequeue() : Step.Succeed;
        }

        switch (step)
        {
            case Step.Fail:
                throw new HttpRequestException("503 Service Unavailable");
            case Step.Stall:
                await Task.Delay(StallTime, ct);
                break;
        }

        lock (_gate)
        {
            Successes++;
        }

        return answer;
    }
}
