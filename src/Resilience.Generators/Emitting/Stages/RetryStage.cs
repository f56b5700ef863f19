using System;

namespace Resilience.Generators;

/// <summary>[Retry]: the stages inside it run again after a failure its filter lets through, after the backoff's delay.</summary>
internal sealed class RetryStage : Stage
{
    private readonly RetrySpec _retry;

    public RetryStage(RetrySpec retry) => _retry = retry;

    public override bool UsesRegistry => true;

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        string? observed = token == Literals.NoToken ? null : token;
        string condition = $"__attempt < {Literals.Number(_retry.MaxAttempts)} && " + ExceptionFilter.Condition("__retryError", observed, rejections: true, _retry.Handle, _retry.Ignore);
        if (_retry.ShouldRetry is not null)
        {
            condition += $" && {_retry.ShouldRetry}(__retryError)";
        }

        w.Open("for (int __attempt = 1; ; __attempt++)");
        w.Open("try");
        inner(token);
        w.Line("break;");
        w.Close();
        w.Line($"catch ({Literals.Exception} __retryError) when ({condition})");
        w.Open();
        w.Line($"var __delay = {Literals.Runtime}RetryBackoff.GetDelay({Literals.Enum(_retry.Backoff)}, __attempt, {Literals.Number(_retry.DelayMs)}, {Literals.Number(_retry.MaxDelayMs)}, {Literals.Bool(_retry.Jitter)});");
        w.Line($"{m.TelemetryField}.RecordRetry(__attempt, __delay, __retryError);");
        if (_retry.OnRetry is not null)
        {
            w.Line($"{_retry.OnRetry}(__retryError, __attempt, __delay);");
        }

        w.Line(m.Wait("__registry", "Delay", $"__delay, {token}") + ";");
        w.Close();
        w.Close();
        w.Blank();
    }
}
