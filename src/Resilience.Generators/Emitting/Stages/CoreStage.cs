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
        // With [Hedging] or an idempotency key the helper starts every attempt: {Name}Core is never called outside its handlers.
        if (m.IsAsync && m.Pipeline.StartCallsCore)
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
        bool injectsResponse = WriteChaos(m, token);
        if (injectsResponse)
        {
            w.Open("else");
        }

        WriteCall(m, token);
        if (injectsResponse)
        {
            w.Close();
        }
    }

    /// <summary>
    /// Writes the chaos configuration injects into the attempt, where a failure of the dependency would happen: just
    /// inside the attempt's timeout, so that every policy sees it as it sees a real one. For a method returning an
    /// <c>HttpResponseMessage</c>, it ends with an <c>if</c> that puts an injected response in the result, which the
    /// call must follow as its <c>else</c>; it says so by returning true.
    /// </summary>
    private bool WriteChaos(MethodContext m, string token)
    {
        IndentedWriter w = m.Writer;

        // The first attempt's call may come from the synchronous start, which ran no chaos (none was configured).
        string chaos = m.ResumesStart ? $"§resume < {Literals.Number(Ordinal)} ? {MethodContext.Overrides}?.Chaos : null" : $"{MethodContext.Overrides}?.Chaos";
        w.Line($"{Literals.Runtime}ChaosInjector? §chaos = {chaos};");
        w.Line("if (§chaos is not null)");
        w.Open();
        if (m.ResumesStart)
        {
            // From here on the attempt is the helper's own: a retry after an injected fault starts every stage afresh.
            w.Line("§resume = 0;");
        }

        w.Line(m.Wait("§chaos", "Inject", $"{m.TelemetryField}, {token}") + ";");
        w.Close();
        w.Blank();
        if (!m.Method.ResultIsHttpResponse)
        {
            return false;
        }

        w.Line($"if (§chaos is not null && §chaos.TryInjectResponse({m.TelemetryField}, out global::System.Net.Http.HttpResponseMessage? §injected))");
        w.Open();
        w.Line($"{Result} = §injected;");
        if (m.Method.ReturnKind == ReturnKind.TaskOfT)
        {
            // No task of {Name}Core's to hand back: the method returns a new one with the injected response.
            w.Line($"{Task} = null;");
        }

        w.Close();
        return true;
    }

    private void WriteCall(MethodContext m, string token)
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
        if (m.ResumesStart)
        {
            invocation = $"§resume == {Literals.Number(Ordinal)} ? {InflightParameter}{(IsTask ? "!" : string.Empty)} : {invocation}";
        }

        string task = m.Method.ReturnKind == ReturnKind.TaskOfT ? Task : Call;
        w.Line(task == Task ? $"{Task} = {invocation};" : $"{m.Method.ReturnType.TrimEnd('?')} {Call} = {invocation};");
        if (m.Pipeline.Retry is not null && m.ResumesStart)
        {
            w.Line("§resume = 0;");
        }

        w.Line(m.Method.HasResult ? $"{Result} = await {task}.ConfigureAwait(false);" : $"await {task}.ConfigureAwait(false);");
    }

    /// <summary>The distinct judges of the start's completed result, by the stages that judge results.</summary>
    private static System.Collections.Generic.IEnumerable<string> ResultJudges(MethodContext m)
    {
        string result = Call + ".Result";
        var judges = new System.Collections.Generic.List<string>(4);
        foreach (string? judge in new[] { m.Pipeline.Fallback?.ResultJudge(m, result), m.Pipeline.Retry?.ResultJudge(m, result), m.Pipeline.CircuitBreaker?.ResultJudge(m, result), m.Pipeline.CachedFallback?.ResultJudge(m, result) })
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
