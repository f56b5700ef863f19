using System;
using System.Collections.Generic;

namespace Resilience.Generators;

/// <summary>
/// [Idempotent] with an [IdempotencyKey] parameter: a call whose key has a stored result, or whose key another call is
/// running, is answered without running the stages inside; otherwise it runs them, and its successful result is
/// stored, while a failure is shared with the calls waiting for it and never stored. Outside the rate limit, so that a
/// repeat takes no permit; inside the fallback, so that a fallback's answer is never stored as the key's result.
/// </summary>
internal sealed class IdempotencyStage : Stage
{
    /// <summary>What the state's field is named after.</summary>
    public const string Role = "Idempotency";

    /// <summary>The local holding the key's text.</summary>
    private const string Key = "§idempotencyKey";

    /// <summary>The local holding the call: answered, or run here and ended once.</summary>
    private const string Call = "§idempotentCall";

    private readonly IdempotencySpec _idempotency;

    public IdempotencyStage(IdempotencySpec idempotency)
    {
        _idempotency = idempotency;
        State = new(
            "IdempotencyState",
            Role,
            idempotency.Name,
            $"GetOrAddIdempotency({Literals.String(idempotency.Name)}, {Literals.Options("IdempotencyOptions", idempotency.Settings)})");
    }

    public override SharedState State { get; }

    /// <summary>A jump to the fallback from inside ends the run without a result, which the calls waiting for it then run themselves.</summary>
    public override bool GivesBackInHandler => true;

    public override void WriteGiveBack(MethodContext m) => m.Writer.Line($"{Call}.Abandon();");

    /// <summary>
    /// A null or empty key is refused as the call starts, before the pipeline (no fallback answers it, nothing is run
    /// or stored): thrown by the method itself, asynchronous or not.
    /// </summary>
    public override void WriteCallStart(MethodContext m)
    {
        string key = $"{Literals.Runtime}IdempotencyKeys.Require({Text}, {Literals.String(_idempotency.KeyParameterName)})";
        m.Writer.Line(m.IsAsync ? key + ";" : $"string {Key} = {key};");
    }

    public override void WriteLocals(MethodContext m)
    {
        // The helper of an asynchronous method takes the key again: its start has checked it.
        if (m.IsAsync)
        {
            m.Writer.Line($"string {Key} = {Text}!;");
        }
    }

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        string stored = StoredType(m);
        string field = m.MemberName(Role);
        w.Line(m.IsAsync
            ? $"{Literals.Runtime}IdempotentCall<{stored}> {Call} = await {field}.BeginAsync<{stored}>({Key}, {token}).ConfigureAwait(false);"
            : $"{Literals.Runtime}IdempotentCall<{stored}> {Call} = {field}.Begin<{stored}>({Key}, {token});");
        if (m.Method.HasResult)
        {
            w.Line($"if ({Call}.IsAnswered)");
            w.Open();
            w.Line($"{CoreStage.Result} = {Call}.Result;");
            w.Close();
            w.Open("else");
        }
        else
        {
            w.Line($"if (!{Call}.IsAnswered)");
            w.Open();
        }

        w.Open("try");
        inner(token);
        WriteEnd(m);
        w.Close();
        w.Line($"catch ({Literals.Exception} §idempotencyError) when ({Call}.Fail(§idempotencyError, {m.CallerToken}))");
        w.Open();
        w.Line("throw;");
        w.Close();
        w.Close();
        w.Blank();
    }

    /// <summary>What is stored: the result, or <c>true</c> for a method without one (that it ran is what a repeat must know).</summary>
    private static string StoredType(MethodContext m) => m.Method.ResultType ?? "bool";

    /// <summary>The key's text: <c>IdempotencyKeys.Text(key)</c>.</summary>
    private string Text => $"{Literals.Runtime}IdempotencyKeys.Text({_idempotency.KeyParameter})";

    /// <summary>Stores the result, unless a stage judges it a failure (it is returned, or answered by the fallback, but never stored).</summary>
    private static void WriteEnd(MethodContext m)
    {
        IndentedWriter w = m.Writer;
        string value = m.Method.HasResult ? CoreStage.Result : "true";
        string complete = m.IsAsync ? $"await {Call}.CompleteAsync({value}).ConfigureAwait(false);" : $"{Call}.Complete({value});";
        var judges = new List<string>(4);
        foreach (string? judge in new[]
        {
            m.Pipeline.Fallback?.ResultJudge(m, CoreStage.Result),
            m.Pipeline.Hedging?.ResultJudge(m, CoreStage.Result),
            m.Pipeline.Retry?.ResultJudge(m, CoreStage.Result),
            m.Pipeline.CircuitBreaker?.ResultJudge(m, CoreStage.Result),
        })
        {
            if (judge is not null && !judges.Contains(judge))
            {
                judges.Add(judge);
            }
        }

        if (judges.Count == 0)
        {
            w.Line(complete);
            return;
        }

        w.Line($"if ({string.Join(" || ", judges)})");
        w.Open();
        w.Line($"{Call}.Abandon();");
        w.Close();
        w.Open("else");
        w.Line(complete);
        w.Close();
    }
}
