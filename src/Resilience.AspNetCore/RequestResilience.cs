using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Resilience.AspNetCore;

/// <summary>
/// What the resilient calls of one request did, as <see cref="ResilienceHeadersFilter"/> reports it: whether a
/// fallback answered, which breakers rejected a call, how the endpoint ended and how long it took.
/// </summary>
/// <remarks>
/// The filter makes one per request and puts it in <see cref="Current"/>, an <see cref="AsyncLocal{T}"/>: each
/// request's flow, and the calls it starts, sees its own. <see cref="RequestResilienceListener"/> marks it from the
/// registry's events, which are raised on the flow of the call concerned. The calls of one request may run in
/// parallel: every member is thread-safe.
/// </remarks>
internal sealed class RequestResilience
{
    private static readonly AsyncLocal<RequestResilience?> s_current = new();

    private readonly ResilienceHeadersOptions _options;
    private readonly TimeProvider _clock;
    private readonly HttpResponse _response;
    private readonly long _started;
    private readonly object _gate = new();
    private List<string>? _breakers;
    private int _fallbacks;
    private string? _ending;
    private long _ended;

    public RequestResilience(ResilienceHeadersOptions options, TimeProvider clock, HttpResponse response)
    {
        _options = options;
        _clock = clock;
        _response = response;
        _started = clock.GetTimestamp();
    }

    /// <summary>The request whose flow this is; null outside a request that runs the filter.</summary>
    public static RequestResilience? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>Writes the headers of its state, a <see cref="RequestResilience"/>, to its response; for <see cref="HttpResponse.OnStarting(Func{object, Task}, object)"/>.</summary>
    public static readonly Func<object, Task> WriteHeadersOnStarting = static state =>
    {
        var request = (RequestResilience)state;
        request.WriteHeaders(request._response.Headers);
        return Task.CompletedTask;
    };

    /// <summary>A fallback answered one of the request's calls.</summary>
    public void RecordFallback() => Interlocked.Increment(ref _fallbacks);

    /// <summary>The circuit breaker <paramref name="name"/> rejected one of the request's calls.</summary>
    public void RecordBreaker(string name)
    {
        lock (_gate)
        {
            _breakers ??= new List<string>(1);
            if (!_breakers.Contains(name))
            {
                _breakers.Add(name);
            }
        }
    }

    /// <summary>The endpoint returned (<paramref name="failure"/> null) or threw <paramref name="failure"/>.</summary>
    public void End(Exception? failure)
    {
        string ending;
        switch (failure)
        {
            case null:
                ending = Volatile.Read(ref _fallbacks) > 0 ? ResilienceStatus.Fallback : ResilienceStatus.Success;
                break;
            case BrokenCircuitException broken:
                RecordBreaker(broken.PolicyName);
                ending = ResilienceStatus.Rejected;
                break;
            case ResilienceRejectedException or TimeoutRejectedException:
                ending = ResilienceStatus.Rejected;
                break;
            default:
                ending = ResilienceStatus.Failure;
                break;
        }

        Interlocked.Exchange(ref _ended, _clock.GetTimestamp());
        Volatile.Write(ref _ending, ending);
    }

    /// <summary>
    /// The headers as they stand: normally once the endpoint has ended; when the endpoint starts the response
    /// itself, what its calls did so far and the time until then.
    /// </summary>
    private void WriteHeaders(IHeaderDictionary headers)
    {
        headers[ResilienceHeaderNames.Status] = Volatile.Read(ref _ending)
            ?? (Volatile.Read(ref _fallbacks) > 0 ? ResilienceStatus.Fallback : ResilienceStatus.Success);

        string? breakers = ExposedBreakers();
        if (breakers is not null)
        {
            headers[ResilienceHeaderNames.CircuitBreaker] = breakers;
        }

        long ended = Interlocked.Read(ref _ended);
        TimeSpan elapsed = _clock.GetElapsedTime(_started, ended != 0 ? ended : _clock.GetTimestamp());
        headers.Append(ResilienceHeaderNames.ServerTiming, "resilience;dur=" + elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture));
    }

    private string? ExposedBreakers()
    {
        lock (_gate)
        {
            if (_breakers is null)
            {
                return null;
            }

            List<string>? exposed = null;
            foreach (string name in _breakers)
            {
                if (PolicyNames.IsHeaderSafe(name) && _options.ExposeCircuitBreakerName(name))
                {
                    (exposed ??= new List<string>(_breakers.Count)).Add(name);
                }
            }

            return exposed is null ? null : string.Join(", ", exposed);
        }
    }
}
