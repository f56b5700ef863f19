using System;

namespace Resilience.Generators;

/// <summary>
/// Not a policy: where the call has got through every stage inside it. It counts the success and returns the
/// result, inside the fallback, which answers only what fails.
/// </summary>
internal sealed class SuccessStage : Stage
{
    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        inner(token);
        m.Writer.Line($"{m.TelemetryField}.RecordSuccess(__started);");
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
