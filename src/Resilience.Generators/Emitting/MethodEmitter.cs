using System.Collections.Generic;

namespace Resilience.Generators;

/// <summary>
/// Writes one resilient method: the state its stages keep, then the implementing part of the partial method. A
/// synchronous method runs its pipeline in place; an asynchronous one starts synchronously (see
/// <see cref="SynchronousStart"/>) and runs its pipeline in an asynchronous helper when it must wait.
/// </summary>
internal sealed class MethodEmitter
{
    private readonly MethodContext _m;

    public MethodEmitter(IndentedWriter writer, ResilientMethodSpec method) => _m = new MethodContext(writer, method, Pipeline.Of(method));

    public void Emit()
    {
        IndentedWriter w = _m.Writer;
        ResilientMethodSpec method = _m.Method;
        w.Line(Literals.GeneratedCode);
        w.Line($"private static readonly {Literals.Runtime}MethodTelemetry {_m.TelemetryField} =");
        w.Line($"    {Literals.Registry}.GetTelemetry({Literals.String(method.TelemetryPolicy)}, {Literals.String(method.PolicyName)});");
        w.Blank();

        // Retry, timeout and chaos settings from configuration live under the name the calls are counted under.
        w.Line(Literals.GeneratedCode);
        w.Line($"private static readonly {Literals.Runtime}LivePolicySettings {_m.LiveSettingsField} =");
        w.Line($"    {Literals.Registry}.GetLivePolicySettings({Literals.String(method.TelemetryPolicy)});");
        w.Blank();
        foreach (Stage stage in _m.Pipeline.Stages)
        {
            stage.WriteFields(_m);
        }

        // No [GeneratedCode] on the implementing part: the compiler merges the attributes of both parts, and
        // analyzers (the project's, and any other) would take the user's own method for generated code.
        w.Line(ResilienceEmitter.Signature(method, method.Modifiers + " partial", method.Name, Declarations(method)));
        ResilienceEmitter.WriteConstraints(w, method);
        w.Open();
        if (method.IsAsync)
        {
            new SynchronousStart(_m).Write();
        }
        else
        {
            WriteBody();
        }

        w.Close();
        if (method.IsAsync)
        {
            WriteHelper();
        }

        if (_m.Pipeline.Hedging is { } hedging)
        {
            WriteHedgedAttempt(hedging);
        }
    }

    private static IEnumerable<string> Declarations(ResilientMethodSpec method)
    {
        foreach (ParameterSpec parameter in method.Parameters)
        {
            yield return parameter.Modifier + parameter.Type + " " + parameter.Name;
        }
    }

    /// <summary>
    /// The helper takes every parameter by value, which lets 'in' parameters (not allowed in async methods) and the
    /// rest be handled alike. For Task and Task&lt;T&gt; it returns a ValueTask, which TaskHandOff.ToTask turns into
    /// the method's task: Task.CompletedTask, or the completed task {Name}Core returned, when the helper completes
    /// synchronously (after a retry without delay, say).
    /// </summary>
    private void WriteHelper()
    {
        IndentedWriter w = _m.Writer;
        ResilientMethodSpec method = _m.Method;
        string helperReturn = method.ReturnKind switch
        {
            ReturnKind.Task => Literals.Tasks + "ValueTask",
            ReturnKind.TaskOfT => $"{Literals.Tasks}ValueTask<{method.ResultType}>",
            _ => method.ReturnType,
        };

        var parameters = new List<string>();
        foreach (ParameterSpec parameter in method.Parameters)
        {
            parameters.Add(parameter.Type + " " + parameter.Name);
        }

        parameters.AddRange(SynchronousStart.HelperParameters(_m));
        w.Blank();
        w.Line(Literals.GeneratedCode);
        foreach (string attribute in method.HelperAttributes)
        {
            w.Line(Literals.EscapeMarks(attribute));
        }

        w.Line($"private {HelperModifiers(method)}async {helperReturn} {_m.HelperName}{method.TypeParameters}({string.Join(", ", parameters)})");
        ResilienceEmitter.WriteConstraints(w, method.HelperConstraints);
        w.Open();
        foreach (string line in SynchronousStart.ResumeComment(_m.Pipeline))
        {
            w.Line(line);
        }

        WriteBody();
        w.Close();
    }

    /// <summary>
    /// The modifiers of a helper (the async helper, a hedged attempt's method): static for a static method; readonly
    /// for a readonly member of a struct, which would otherwise copy the struct to call it (CS8656).
    /// </summary>
    private static string HelperModifiers(ResilientMethodSpec method) => method.IsStatic ? "static " : method.IsReadOnly ? "readonly " : string.Empty;

    /// <summary>The locals of the body (or of the hedged attempt's method) and of its stages.</summary>
    private static void WriteLocals(MethodContext m, bool hedged)
    {
        IndentedWriter w = m.Writer;
        ResilientMethodSpec method = m.Method;
        if (m.Pipeline.UsesRegistry(hedged))
        {
            w.Line($"{Literals.Runtime}ResilienceRegistry §registry = {Literals.Registry};");
        }

        w.Line($"{Literals.Runtime}PolicyOverrides? {MethodContext.Overrides} = {m.LiveSettingsField}.Overrides;");

        if (method.HasResult)
        {
            w.Line($"{method.ResultType} {CoreStage.Result} = default!;");
        }

        if (method.ReturnKind == ReturnKind.TaskOfT)
        {
            w.Line($"{Literals.Tasks}Task<{method.ResultType}>? {CoreStage.Task} = null;");
        }

        foreach (Stage stage in m.Pipeline.StagesOf(hedged))
        {
            stage.WriteLocals(m);
        }
    }

    /// <summary>
    /// The method that runs one hedged attempt: the stages inside [Hedging], with the attempt's token in place of the
    /// caller's (so that a cancelled loser is taken for a cancellation, never a failure), and its outcome reported
    /// to the race. It never throws, and nothing awaits it.
    /// </summary>
    private void WriteHedgedAttempt(HedgingStage hedging)
    {
        IndentedWriter w = _m.Writer;
        ResilientMethodSpec method = _m.Method;
        var attempt = new MethodContext(w, method, _m.Pipeline, inHedgedAttempt: true);
        var parameters = new List<string>();
        foreach (ParameterSpec parameter in method.Parameters)
        {
            parameters.Add(parameter.Type + " " + parameter.Name);
        }

        parameters.AddRange(HedgingStage.AttemptParameters(attempt));
        w.Blank();
        w.Line(Literals.GeneratedCode);
        foreach (string attribute in method.HelperAttributes)
        {
            w.Line(Literals.EscapeMarks(attribute));
        }

        w.Line($"private {HelperModifiers(method)}async {Literals.Tasks}Task {HedgingStage.AttemptMethod(attempt)}{method.TypeParameters}({string.Join(", ", parameters)})");
        ResilienceEmitter.WriteConstraints(w, method.HelperConstraints);
        w.Open();
        WriteLocals(attempt, hedged: true);
        string token = method.CancellationToken ?? HedgingStage.Token;
        hedging.WriteReport(attempt, () => _m.Pipeline.WriteBody(attempt, _m.Pipeline.FirstHedgedStage, token));
        w.Close();
    }

    /// <summary>
    /// The pipeline, inside the call's measurement: its time and outcome are recorded, a failure by an exception
    /// filter that returns false, so that the exception leaves untouched (no catch, no rethrow).
    /// </summary>
    private void WriteBody()
    {
        IndentedWriter w = _m.Writer;
        ResilientMethodSpec method = _m.Method;
        WriteLocals(_m, hedged: false);

        if (!method.IsAsync)
        {
            // Asynchronous methods start the clock in their synchronous start, and pass it on.
            w.Line($"long §started = {_m.TelemetryField}.Start();");
            _m.Pipeline.WriteCallStart(_m);
        }

        w.Open("try");
        _m.Pipeline.WriteBody(_m, 0, _m.CallerToken);
        w.Close();
        w.Line($"catch ({Literals.Exception} §error) when ({_m.TelemetryField}.RecordFailure(§started, §error, {_m.CallerToken}))");
        w.Open();
        w.Line("throw;");
        w.Close();
    }
}
