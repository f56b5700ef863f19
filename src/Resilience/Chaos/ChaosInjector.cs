using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// Injects one policy name's <see cref="ChaosSettings"/> into the attempts of its methods. Generated code calls it
/// just before <c>{Name}Core</c>, and only while chaos is configured and allowed: see <see cref="PolicyOverrides.Chaos"/>.
/// </summary>
/// <remarks>Thread-safe: its settings never change (a reload makes a new injector), and its random draws are lock-free.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ChaosInjector
{
    /// <summary>The header an injected response carries, so that it is never mistaken for the dependency's.</summary>
    public const string ChaosResponseHeader = "X-Resilience-Chaos";

    private readonly ResilienceRegistry _registry;
    private readonly ChaosSettings _settings;
    private readonly ChaosRandom _random;
    private readonly TimeSpan _latency;

    internal ChaosInjector(ResilienceRegistry registry, string policyName, ChaosSettings settings)
    {
        _registry = registry;
        PolicyName = policyName;
        _settings = settings;
        _random = new ChaosRandom(settings.Seed);
        _latency = TimeSpan.FromTicks(settings.LatencyMs * TimeSpan.TicksPerMillisecond);
    }

    /// <summary>The policy name whose settings this injects.</summary>
    public string PolicyName { get; }

    /// <summary>
    /// Before an attempt of a synchronous method: blocks for the latency when the draw says so, then throws a
    /// <see cref="ChaosInjectedException"/> when the draw says so.
    /// </summary>
    /// <param name="telemetry">The method's recorder, which counts each injection.</param>
    /// <param name="cancellationToken">The attempt's token: a timeout or the caller cuts the latency short.</param>
    /// <exception cref="ChaosInjectedException">The draw injected a fault.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled during the latency.</exception>
    public void Inject(MethodTelemetry telemetry, CancellationToken cancellationToken)
    {
        if (DrawLatency(telemetry))
        {
            _registry.Delay(_latency, cancellationToken);
        }

        ThrowIfFaultDrawn(telemetry);
    }

    /// <summary>
    /// Before an attempt of an asynchronous method: waits the latency when the draw says so, then throws a
    /// <see cref="ChaosInjectedException"/> when the draw says so.
    /// </summary>
    /// <param name="telemetry">The method's recorder, which counts each injection.</param>
    /// <param name="cancellationToken">The attempt's token: a timeout or the caller cuts the latency short.</param>
    /// <exception cref="ChaosInjectedException">The draw injected a fault.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled during the latency.</exception>
    public ValueTask InjectAsync(MethodTelemetry telemetry, CancellationToken cancellationToken)
    {
        if (DrawLatency(telemetry))
        {
            return new ValueTask(DelayThenFaultAsync(telemetry, cancellationToken));
        }

        ThrowIfFaultDrawn(telemetry);
        return default;
    }

    /// <summary>
    /// Before an attempt of a method returning <see cref="HttpResponseMessage"/>, after <see cref="Inject"/> or
    /// <see cref="InjectAsync"/>: a response of <see cref="ChaosSettings.OutcomeStatusCode"/> to use instead of calling
    /// the operation, when the draw says so.
    /// </summary>
    /// <param name="telemetry">The method's recorder, which counts each injection.</param>
    /// <param name="response">The injected response, marked with the <c>X-Resilience-Chaos: outcome</c> header; null when none was drawn.</param>
    /// <returns>True when a response was injected.</returns>
    public bool TryInjectResponse(MethodTelemetry telemetry, [NotNullWhen(true)] out HttpResponseMessage? response)
    {
        if (!_random.Chance(_settings.OutcomeRate))
        {
            response = null;
            return false;
        }

        telemetry.RecordChaos(ChaosInjection.Outcome);
        response = new HttpResponseMessage((HttpStatusCode)_settings.OutcomeStatusCode)
        {
            ReasonPhrase = "Injected by chaos",
        };
        response.Headers.TryAddWithoutValidation(ChaosResponseHeader, "outcome");
        return true;
    }

    private bool DrawLatency(MethodTelemetry telemetry)
    {
        if (_settings.LatencyMs <= 0 || !_random.Chance(_settings.LatencyRate))
        {
            return false;
        }

        telemetry.RecordChaos(ChaosInjection.Latency);
        return true;
    }

    private void ThrowIfFaultDrawn(MethodTelemetry telemetry)
    {
        if (_random.Chance(_settings.FaultRate))
        {
            telemetry.RecordChaos(ChaosInjection.Fault);
            throw new ChaosInjectedException(PolicyName);
        }
    }

    private async Task DelayThenFaultAsync(MethodTelemetry telemetry, CancellationToken cancellationToken)
    {
        await _registry.DelayAsync(_latency, cancellationToken).ConfigureAwait(false);
        ThrowIfFaultDrawn(telemetry);
    }
}
