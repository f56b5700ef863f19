using System;

namespace Resilience.Generators;

/// <summary>
/// [Fallback], outermost: a failure that passes its filter, or a rejection that comes to it without an exception,
/// is answered by the fallback method.
/// </summary>
internal sealed class FallbackStage : Stage
{
    /// <summary>The local holding the failure the fallback method is given.</summary>
    public const string Failure = "§failure";

    /// <summary>The label rejections go to when the fallback takes them without an exception.</summary>
    public const string Label = "§fallback";

    private readonly FallbackSpec _fallback;

    public FallbackStage(FallbackSpec fallback) => _fallback = fallback;

    /// <summary>True when an open circuit can be answered in the synchronous start: the fallback takes it and returns its result directly.</summary>
    public bool AnswersOpenCircuitAtOnce => _fallback is { HandlesBrokenCircuit: true, Return: FallbackReturn.Direct };

    /// <summary>Whether a result is a failure the fallback answers, for the result <paramref name="result"/>; null when it answers no result.</summary>
    public string? ResultJudge(MethodContext m, string result) => m.ResultJudge(_fallback.HandleResult, result);

    public override void WriteLocals(MethodContext m)
    {
        switch (_fallback.Failure)
        {
            case FailureParameter.Exception:
                m.Writer.Line($"{Literals.Exception} {Failure};");
                break;
            case FailureParameter.Outcome:
                m.Writer.Line($"{m.OutcomeType} {Failure};");
                break;
        }
    }

    /// <summary>
    /// Sends a result the fallback judges a failure to it, without an exception: a fallback taking the outcome gets
    /// the result; one taking an exception gets a <c>HandledResultException</c> describing it, and the result, which
    /// nobody will return, is let go of.
    /// </summary>
    public void WriteResultCheck(MethodContext m)
    {
        if (ResultJudge(m, CoreStage.Result) is not { } judge)
        {
            return;
        }

        IndentedWriter w = m.Writer;
        w.Line($"if ({judge})");
        w.Open();
        switch (_fallback.Failure)
        {
            case FailureParameter.Outcome:
                w.Line($"{Failure} = {m.OutcomeType}.FromResult({CoreStage.Result});");
                break;
            case FailureParameter.Exception:
                w.Line($"{Failure} = new {Literals.Runtime}HandledResultException({Literals.String(m.Method.TelemetryPolicy)}, {CoreStage.Result});");
                m.WriteDiscard(CoreStage.Result);
                break;
            default:
                m.WriteDiscard(CoreStage.Result);
                break;
        }

        w.Line($"goto {Label};");
        w.Close();
        w.Blank();
    }

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        w.Open("try");
        inner(token);
        w.Close();

        bool takesFailure = _fallback.Failure != FailureParameter.None;
        string filter = ExceptionFilter.Condition("§fallbackError", m.Method.CancellationToken, rejections: false, _fallback.Handle, EquatableArray<string>.Empty);
        w.Line(filter == "true"
            ? takesFailure ? $"catch ({Literals.Exception} §fallbackError)" : $"catch ({Literals.Exception})"
            : $"catch ({Literals.Exception} §fallbackError) when ({filter})");
        w.Open();
        if (takesFailure)
        {
            w.Line($"{Failure} = {m.FailureOf(_fallback.Failure, "§fallbackError")};");
        }

        w.Close();
        w.Blank();
        if (m.Pipeline.RejectsToFallback(_fallback) || ResultJudge(m, CoreStage.Result) is not null)
        {
            w.Line(Label + ":");
        }

        string call = Invocation(m, Failure);
        if (_fallback.Return == FallbackReturn.Awaitable)
        {
            call = $"await {call}.ConfigureAwait(false)";
        }

        string record = RecordFallback(m, _fallback.Failure switch
        {
            FailureParameter.Exception => Failure,
            FailureParameter.Outcome => Failure + ".Exception",
            _ => null,
        });
        if (m.Method.HasResult)
        {
            w.Line($"{m.Method.ResultType} §fallbackResult = {call};");
            w.Line(record);
            w.Line("return §fallbackResult;");
        }
        else
        {
            w.Line(call + ";");
            w.Line(record);
        }
    }

    /// <summary>
    /// Answers a rejection in the synchronous start with the fallback's result, after <paramref name="release"/>
    /// gives back what the start took; whatever the fallback throws faults the returned task, as it would from the helper.
    /// </summary>
    public void WriteAnswerAtOnce(MethodContext m, string rejection, Action release)
    {
        IndentedWriter w = m.Writer;
        bool takesFailure = _fallback.Failure != FailureParameter.None;
        string call = Invocation(m, m.FailureOf(_fallback.Failure, takesFailure ? "§openRejection" : rejection));
        string record = RecordFallback(m, takesFailure ? "§openRejection" : null);
        w.Open();
        release();
        if (takesFailure)
        {
            // Made only when the fallback is given it, and then told to the telemetry too.
            w.Line($"{Literals.Exception} §openRejection = {rejection};");
        }

        w.Open("try");
        if (m.Method.HasResult)
        {
            w.Line($"{m.Method.ResultType} §fallbackResult = {call};");
            w.Line(record);
            w.Line(m.Method.ReturnKind == ReturnKind.TaskOfT
                ? $"return {Literals.Tasks}Task.FromResult<{m.Method.ResultType}>(§fallbackResult);"
                : $"return new {m.Method.ReturnType}(§fallbackResult);");
        }
        else
        {
            w.Line(call + ";");
            w.Line(record);
            w.Line(m.Method.ReturnKind == ReturnKind.Task ? $"return {Literals.Tasks}Task.CompletedTask;" : "return default;");
        }

        w.Close();
        w.Line($"catch ({Literals.Exception} §thrown)");
        w.Open();
        w.Line($"{m.TelemetryField}.RecordFailure(§started, §thrown, {m.CallerToken});");
        w.Line($"return {m.Faulted("§thrown")};");
        w.Close();
        w.Close();
    }

    /// <summary>
    /// The count of a call the fallback answered, with the failure it was given (<paramref name="failure"/>, for the
    /// listeners' event and the trace's <c>error.type</c>) when it takes one; a fallback that takes no failure holds none
    /// to tell, since a rejection reaches it without an exception.
    /// </summary>
    private static string RecordFallback(MethodContext m, string? failure)
        => failure is null ? $"{m.TelemetryField}.RecordFallback(§started);" : $"{m.TelemetryField}.RecordFallback(§started, {failure});";

    /// <summary>The call of the fallback method, given <paramref name="failure"/> when it takes the failure.</summary>
    private string Invocation(MethodContext m, string failure)
    {
        var arguments = new System.Collections.Generic.List<string>();
        foreach (ParameterSpec parameter in m.Method.Parameters)
        {
            arguments.Add(parameter.Argument);
        }

        if (_fallback.Failure != FailureParameter.None)
        {
            arguments.Add(failure);
        }

        return $"{_fallback.Method}{m.Method.TypeParameters}({string.Join(", ", arguments)})";
    }
}
