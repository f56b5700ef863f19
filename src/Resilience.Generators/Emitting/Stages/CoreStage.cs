using System;

namespace Resilience.Generators;

/// <summary>The call of <c>{Name}Core</c>, innermost, with the token of the stages around it.</summary>
internal sealed class CoreStage : StartStage
{
    /// <summary>The start's local holding the task {Name}Core returned.</summary>
    public const string Call = "§call";

    /// <summary>The local holding the result, for methods that have one.</summary>
    public const string Result = "§result";

    /// <summary>The local holding the task of a Task&lt;T&gt; method's last attempt, handed back to the method.</summary>
    public const string Task = "§coreTask";

    private const string InflightParameter = "§inflight";

    private readonly ResilientMethodSpec _method;

    public CoreStage(ResilientMethodSpec method)
    {
        _method = method;
        // A return declared Task? or Task<T>? is annotated already; it must not become Task??.
        Carried = new(IsTask ? _method.ReturnType.TrimEnd('?') + "?" : _method.ReturnType, InflightParameter, Call);
    }

    public override string StartDescription => $"the call ({InflightParameter})";

    /// <summary>{Name}Core's task; nullable where it is a reference type, as the start hands off before it exists, too.</summary>
    public override Carried Carried { get; }

    private bool IsTask => _method.ReturnKind is ReturnKind.Task or ReturnKind.TaskOfT;

    /// <summary>The flag that sends every call to the helper once {Name}Core has thrown instead of returning a task.</summary>
    public static string ThrowsFlag(MethodContext m) => m.MemberName("CoreThrows");

    public override void WriteFields(MethodContext m)
    {
        if (m.IsAsync)
        {
            m.Writer.Line($"// Set once {m.Method.CoreName} has thrown instead of returning a task: from then on the helper calls it, inside its");
            m.Writer.Line("// handlers, so that such a failure is thrown once rather than caught here and thrown again there.");
            m.Writer.Line(Literals.GeneratedCode);
            m.Writer.Line($"private static bool {ThrowsFlag(m)};");
            m.Writer.Blank();
        }
    }

    public override string WriteStart(MethodContext m, SynchronousStart start, string token)
    {
        IndentedWriter w = m.Writer;

        // A synchronous throw becomes a faulted task, so that the helper sees it where an await would.
        w.Line($"{m.Method.ReturnType} {Call};");
        w.Open("try");
        w.Line($"{Call} = {Invocation(m, token)};");
        w.Close();
        w.Line($"catch ({Literals.Exception} §thrown)");
        w.Open();
        w.Line($"{ThrowsFlag(m)} = true;");
        w.Line($"{Call} = {m.Faulted("§thrown")};");
        w.Close();
        w.Blank();

        // A null task (a bug in {Name}Core) is handed on too: awaited there, it fails the attempt like any other
        // failure. So is a result a stage judges a failure: the helper does what that stage does with it.
        string handOff = IsTask
            ? $"{Call} is null || {Call}.Status != {Literals.Tasks}TaskStatus.RanToCompletion"
            : $"!{Call}.IsCompletedSuccessfully";
        foreach (string judge in ResultJudges(m))
        {
            handOff += " || " + judge;
        }

        w.Line($"if ({handOff})");
        start.HandOff(done: Ordinal);
        w.Blank();
        return token;
    }

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        string invocation = Invocation(m, token);
        if (!m.IsAsync)
        {
            w.Line(m.Method.HasResult ? $"{Result} = {invocation};" : invocation + ";");
            return;
        }

        // A method declared to return Task? awaits what {Name}Core gives as a task: null fails the attempt as any
        // await of null does, and the generated code is not warned about it.
        if (m.Method.ReturnType.EndsWith("?", System.StringComparison.Ordinal))
        {
            invocation += "!";
        }

        // The first attempt's task may come from the synchronous start; a retry starts every stage afresh.
        invocation = $"§resume == {Literals.Number(Ordinal)} ? {InflightParameter}{(IsTask ? "!" : string.Empty)} : {invocation}";
        string task = m.Method.ReturnKind == ReturnKind.TaskOfT ? Task : Call;
        w.Line(task == Task ? $"{Task} = {invocation};" : $"{m.Method.ReturnType.TrimEnd('?')} {Call} = {invocation};");
        if (m.Pipeline.Retry is not null)
        {
            w.Line("§resume = 0;");
        }

        w.Line(m.Method.HasResult ? $"{Result} = await {task}.ConfigureAwait(false);" : $"await {task}.ConfigureAwait(false);");
    }

    /// <summary>The distinct judges of the start's completed result, by the stages that judge results.</summary>
    private static System.Collections.Generic.IEnumerable<string> ResultJudges(MethodContext m)
    {
        string result = Call + ".Result";
        var judges = new System.Collections.Generic.List<string>(3);
        foreach (string? judge in new[] { m.Pipeline.Fallback?.ResultJudge(m, result), m.Pipeline.Retry?.ResultJudge(m, result), m.Pipeline.CircuitBreaker?.ResultJudge(m, result) })
        {
            if (judge is not null && !judges.Contains(judge))
            {
                judges.Add(judge);
            }
        }

        return judges;
    }

    private static string Invocation(MethodContext m, string token)
    {
        var arguments = new string[m.Method.Parameters.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            ParameterSpec parameter = m.Method.Parameters[i];
            arguments[i] = parameter.IsCancellationToken && parameter.Name == m.Method.CancellationToken ? token : parameter.Argument;
        }

        return $"{m.Method.CoreName}{m.Method.TypeParameters}({string.Join(", ", arguments)})";
    }
}
