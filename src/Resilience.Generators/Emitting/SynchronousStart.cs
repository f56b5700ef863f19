using System.Collections.Generic;

namespace Resilience.Generators;

/// <summary>
/// The body of an asynchronous method: the first attempt runs without a state machine. Each start stage takes
/// what it needs only if it is free now, then <c>{Name}Core</c> is called; when its task has completed
/// successfully at once (the happy path), the stages give back what they took, in reverse order, and that task is
/// returned as it is. Anything else is handed to the asynchronous helper, told by <c>__resume</c> how many start
/// stages are done and given what they hold, which carries on from there.
/// </summary>
internal sealed class SynchronousStart
{
    private readonly MethodContext _m;

    public SynchronousStart(MethodContext m) => _m = m;

    /// <summary>
    /// The helper's parameters after the method's own: the call's start time, <c>__resume</c>, what each start stage
    /// carries, then, for a Task&lt;T&gt; method, the number its task is handed back under (see <c>TaskHandOff</c>).
    /// </summary>
    public static IEnumerable<string> HelperParameters(MethodContext m)
    {
        yield return "long §started";
        yield return "int §resume";
        foreach (StartStage stage in m.Pipeline.StartStages)
        {
            if (stage.Carried is { } carried)
            {
                yield return carried.Type + " " + carried.Parameter;
            }
        }

        if (m.HandsOffTask)
        {
            yield return "long " + MethodContext.HandOffCall;
        }
    }

    /// <summary>The helper's comment on <c>__resume</c>, from the start stages' descriptions.</summary>
    public static IEnumerable<string> ResumeComment(Pipeline pipeline)
    {
        if (pipeline.Idempotency is not null)
        {
            yield return "// §resume: always 0, as the synchronous start only checks the idempotency key.";
            yield break;
        }

        var done = new List<string>();
        foreach (StartStage stage in pipeline.StartStages)
        {
            done.Add(Literals.Number(stage.Ordinal) + " " + stage.StartDescription);
        }

        yield return "// §resume: how many of the first attempt's stages the synchronous start did:";
        yield return "// " + (done.Count == 0 ? "none (the stages inside [Hedging] run per attempt)" : string.Join(", ", done)) + (!pipeline.BreakerInStart ? "." : $"; {Literals.Number(pipeline.BreakerRefused)}: the breaker refused it.");
    }

    public void Write()
    {
        IndentedWriter w = _m.Writer;
        w.Line($"long §started = {_m.TelemetryField}.Start();");
        _m.Pipeline.WriteCallStart(_m);
        if (_m.Pipeline.Idempotency is not null)
        {
            // A stored result, or the run of another call with the key, may have to be waited for: the helper's work.
            HandOff(done: 0);
            return;
        }

        // What configuration overrides (a retry, a timeout, chaos) is applied by the helper: the start, the happy path,
        // reads one field, null unless something is configured.
        if (_m.Pipeline.Hedging is null)
        {
            w.Line($"if ({CoreStage.ThrowsFlag(_m)} || {_m.LiveSettingsField}.Overrides is not null)");
            HandOff(done: 0);
            w.Blank();
        }
        else if (_m.Pipeline.StartStages.Count > 0)
        {
            w.Line($"if ({_m.LiveSettingsField}.Overrides is not null)");
            HandOff(done: 0);
            w.Blank();
        }

        string token = _m.CallerToken;
        foreach (StartStage stage in _m.Pipeline.StartStages)
        {
            token = stage.WriteStart(_m, this, token);
        }

        if (_m.Pipeline.Hedging is not null)
        {
            // Attempts side by side are the helper's: the start takes what the stages outside the hedging need, and hands on.
            HandOff(done: _m.Pipeline.StartStages.Count);
            return;
        }

        IReadOnlyList<StartStage> stages = _m.Pipeline.StartStages;
        for (int i = stages.Count - 1; i >= 0; i--)
        {
            stages[i].WriteStartSuccess(_m);
        }

        _m.Pipeline.CachedFallback?.WriteStartStore(_m);
        w.Line($"{_m.TelemetryField}.RecordSuccess(§started);");
        w.Line($"return {CoreStage.Call};");
    }

    /// <summary>Returns what the helper returns, carrying on after the first <paramref name="done"/> start stages.</summary>
    public void HandOff(int done) => HandOff(done, done);

    /// <summary>Returns what the helper returns after <paramref name="breaker"/> refused the call, which it counted once already.</summary>
    public void HandOffRefused(StartStage breaker) => HandOff(breaker.Ordinal - 1, _m.Pipeline.BreakerRefused);

    /// <summary>Gives back what the start stages before <paramref name="stage"/> took, last first.</summary>
    public void GiveBackBefore(StartStage stage)
    {
        IReadOnlyList<StartStage> stages = _m.Pipeline.StartStages;
        for (int i = stage.Ordinal - 2; i >= 0; i--)
        {
            stages[i].WriteGiveBack(_m);
        }
    }

    private void HandOff(int done, int resume)
    {
        var arguments = new List<string>();
        foreach (ParameterSpec parameter in _m.Method.Parameters)
        {
            arguments.Add(parameter.Value);
        }

        arguments.Add("§started");
        arguments.Add(Literals.Number(resume));
        foreach (StartStage stage in _m.Pipeline.StartStages)
        {
            if (stage.Carried is { } carried)
            {
                arguments.Add(stage.Ordinal <= done ? carried.Local : "default");
            }
        }

        if (_m.HandsOffTask)
        {
            arguments.Add(MethodContext.HandOffCall);
        }

        string call = $"{_m.HelperName}{_m.Method.TypeParameters}({string.Join(", ", arguments)})";
        string handOff = $"{Literals.Runtime}TaskHandOff<{_m.Method.ResultType}>";
        _m.Writer.Open();
        if (_m.HandsOffTask)
        {
            _m.Writer.Line($"long {MethodContext.HandOffCall} = {handOff}.Open();");
        }

        _m.Writer.Line(_m.Method.ReturnKind switch
        {
            ReturnKind.Task => $"return {Literals.Runtime}TaskHandOff.ToTask({call});",
            ReturnKind.TaskOfT => $"return {handOff}.ToTask({call}, {MethodContext.HandOffCall});",
            _ => $"return {call};",
        });
        _m.Writer.Close();
    }
}
