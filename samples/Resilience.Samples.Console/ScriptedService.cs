using System.Net;

namespace Resilience.Samples;

/// <summary>
/// A stand-in for a remote service that answers from a script: succeed, fail, stall for five seconds, or, over
/// HTTP, answer 503 or 429 with a Retry-After of one second.
/// </summary>
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

        /// <summary>Over HTTP: 503 Service Unavailable.</summary>
        Unavailable,

        /// <summary>Over HTTP: 429 Too Many Requests, with Retry-After: 1.</summary>
        Throttled,
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
        switch (Next())
        {
            case Step.Fail or Step.Unavailable or Step.Throttled:
                throw new HttpRequestException("503 Service Unavailable");
            case Step.Stall:
                await Task.Delay(StallTime, ct);
                break;
        }

        CountSuccess();
        return answer;
    }

    /// <summary>The next answer as an HTTP response, as an <c>HttpClient</c> would return it.</summary>
    public async Task<HttpResponseMessage> RespondAsync(CancellationToken ct)
    {
        switch (Next())
        {
            case Step.Fail:
                throw new HttpRequestException("Connection refused");
            case Step.Unavailable:
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            case Step.Throttled:
                var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
                throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
                return throttled;
            case Step.Stall:
                await Task.Delay(StallTime, ct);
                break;
        }

        CountSuccess();
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("in stock") };
    }

    private Step Next()
    {
        lock (_gate)
        {
            Calls++;
            return _script.Count > 0 ? _script.Dequeue() : Step.Succeed;
        }
    }

    private void CountSuccess()
    {
        lock (_gate)
        {
            Successes++;
        }
    }
}
