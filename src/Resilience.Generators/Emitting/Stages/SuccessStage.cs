using System;

namespace Resilience.Generators;

/// <summary>
/// Not a policy: where the call has got through every stage inside it. It counts the outcome and returns the
/// result, inside the fallback, which answers only what fails: a result the fallback judges a failure goes to
/// it from here; any other result the hedging (else the retry, else the breaker) judges a failure is returned, counted as a failure.
/// </summary>
internal sealed class SuccessStage : Stage
{
    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        inner(token);
        m.Pipeline.Fallback?.WriteResultCheck(m);
        string? judge = m.Pipeline.Hedging?.ResultJudge(m, CoreStage.Result) ?? m.Pipeline.Retry?.ResultJudge(m, CoreStage.Result) ?? m.Pipeline.CircuitBreaker?.ResultJudge(m, CoreStage.Result);

        // A result the fallback judges alike has gone to it already.
        if (judge is not null && judge != m.Pipeline.Fallback?.ResultJudge(m, CoreStage.Result))
        {
            m.Writer.Line($"if ({judge})");
            m.Writer.Open();
            m.Writer.Line($"{m.TelemetryField}.RecordFailedResult(§started);");
            m.Writer.Close();
            m.Writer.Open("else");
            m.Writer.Line($"{m.TelemetryField}.RecordSuccess(§started);");
            m.Writer.Close();
            m.Writer.Blank();
        }
        else
        {
            m.Writer.Line($"{m.TelemetryField}.RecordSuccess(§started);");
        }

        m.WriteTaskHandOff(CoreStage.Task);
        if (m.Method.HasResult)
        {
            m.Writer.Line($"return {CoreStage.Result};");
        }
        else if (m.Method.Fallback is not null)
        {
            // The code after the fallback's handler is the fallback's answer.
            m.Writer.Line("return;");
        }
    }
}
