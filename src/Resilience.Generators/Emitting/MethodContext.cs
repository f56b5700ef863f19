namespace Resilience.Generators;

/// <summary>
/// What every stage writes one method with: the writer, the method, its pipeline, and the names and forms the
/// generated code uses. A synchronous method and the asynchronous helper differ only through the members here.
/// </summary>
internal sealed class MethodContext
{
    public MethodContext(IndentedWriter writer, ResilientMethodSpec method, Pipeline pipeline, bool inHedgedAttempt = false)
    {
        Writer = writer;
        Method = method;
        Pipeline = pipeline;
        InHedgedAttempt = inHedgedAttempt;
    }

    /// <summary>
    /// True while writing the method that runs one hedged attempt (the stages inside [Hedging]): nothing there
    /// resumes the synchronous start, and a rejection is thrown, as the fallback is in another method.
    /// </summary>
    public bool InHedgedAttempt { get; }

    /// <summary>True in the asynchronous helper, which carries on from what the synchronous start did (<c>__resume</c>).</summary>
    public bool ResumesStart => IsAsync && !InHedgedAttempt;

    public IndentedWriter Writer { get; }

    public ResilientMethodSpec Method { get; }

    public Pipeline Pipeline { get; }

    /// <summary>
    /// True for an asynchronous method: its body is the synchronous start, and its pipeline runs in the asynchronous
    /// helper, which awaits and resumes what the start began.
    /// </summary>
    public bool IsAsync => Method.IsAsync;

    /// <summary>The caller's token, or <c>CancellationToken.None</c> when the method takes none.</summary>
    public string CallerToken => Method.CancellationToken ?? Literals.NoToken;

    /// <summary>The static field that records the method's calls.</summary>
    public string TelemetryField => MemberName("Telemetry");

    /// <summary>The static field holding what configuration overrides for the method's policy name (see <c>LivePolicySettings</c>).</summary>
    public string LiveSettingsField => MemberName("LiveSettings");

    /// <summary>
    /// The body's local holding what configuration overrides (retries, timeouts, chaos), read once per call: null on
    /// the happy path, where the compiled-in settings apply.
    /// </summary>
    public const string Overrides = "§overrides";

    /// <summary>
    /// The number of a Task&lt;T&gt; method's call, given to its helper, under which the helper hands back the task
    /// {Name}Core returned (see <c>TaskHandOff</c>).
    /// </summary>
    public const string HandOffCall = "§handOff";

    /// <summary>True for a Task&lt;T&gt; method, whose helper hands the task {Name}Core returned back under <see cref="HandOffCall"/>.</summary>
    public bool HandsOffTask => Method.ReturnKind == ReturnKind.TaskOfT;

    /// <summary>The asynchronous helper that carries on from the synchronous start.</summary>
    public string HelperName => MemberName("Resilient");

    /// <summary>The name of a member the generator adds for this method (a field, the helper): <c>__{MemberKey}_{role}</c>.</summary>
    public string MemberName(string role) => $"§{Method.MemberKey}_{role}";

    /// <summary>A call that may wait: <c>receiver.Name(arguments)</c> in a synchronous method, <c>await receiver.NameAsync(arguments).ConfigureAwait(false)</c> in the helper.</summary>
    public string Wait(string receiver, string name, string arguments)
        => IsAsync ? $"await {receiver}.{name}Async({arguments}).ConfigureAwait(false)" : $"{receiver}.{name}({arguments})";

    /// <summary>"__resume &lt; k &amp;&amp; " in the helper, where the synchronous start may have done <paramref name="stage"/> already; empty otherwise.</summary>
    public string UnlessStarted(StartStage stage) => ResumesStart ? $"§resume < {Literals.Number(stage.Ordinal)} && " : string.Empty;

    /// <summary>What the start passed on for <paramref name="stage"/> when it got that far, else <paramref name="expression"/>; just the expression in a synchronous method.</summary>
    public string StartedOr(StartStage stage, string passed, string expression)
        => ResumesStart ? $"§resume >= {Literals.Number(stage.Ordinal)} ? {passed} : {expression}" : expression;

    /// <summary>
    /// Whether <paramref name="result"/> is a failure, as a stage with <paramref name="handleResult"/> judges it: that
    /// method, else, for an <c>HttpResponseMessage</c>, its status (408, 429, 5xx); null when the stage judges no result.
    /// </summary>
    public string? ResultJudge(string? handleResult, string result)
        => handleResult is not null ? $"{handleResult}({result})"
            : Method.ResultIsHttpResponse ? $"{Literals.Runtime}HttpOutcomes.IsTransientFailure({result})"
            : null;

    /// <summary>The failure a fallback or hook taking <paramref name="takes"/> is given for the exception <paramref name="exception"/>.</summary>
    public string FailureOf(FailureParameter takes, string exception)
        => takes == FailureParameter.Outcome ? $"{OutcomeType}.FromException({exception})" : exception;

    /// <summary>Lets go of a result handled as a failure that nobody returns: disposes it, where a result of its type may be disposable.</summary>
    public void WriteDiscard(string result)
    {
        if (Method.ResultMayBeDisposable)
        {
            Writer.Line($"{OutcomeType}.Discard({result});");
        }
    }

    /// <summary><c>global::Resilience.Outcome&lt;T&gt;</c> of the method's result.</summary>
    public string OutcomeType => $"{Literals.Runtime}Outcome<{Method.ResultType}>";

    /// <summary>A task of the method's return type, faulted with <paramref name="error"/>.</summary>
    public string Faulted(string error) => Method.ReturnKind switch
    {
        ReturnKind.Task => $"{Literals.Tasks}Task.FromException({error})",
        ReturnKind.TaskOfT => $"{Literals.Tasks}Task.FromException<{Method.ResultType}>({error})",
        ReturnKind.ValueTask => $"new {Literals.Tasks}ValueTask({Literals.Tasks}Task.FromException({error}))",
        _ => $"new {Method.ReturnType}({Literals.Tasks}Task.FromException<{Method.ResultType}>({error}))",
    };

    /// <summary>
    /// Hands the task {Name}Core returned back to a Task&lt;T&gt; method, under the number of its call (see
    /// <c>TaskHandOff</c>); nothing for other returns. A result from elsewhere (a fallback) hands nothing back, and the
    /// method wraps it in a task of its own.
    /// </summary>
    public void WriteTaskHandOff(string task)
    {
        if (HandsOffTask)
        {
            Writer.Line($"{Literals.Runtime}TaskHandOff<{Method.ResultType}>.Set({task}, {HandOffCall});");
        }
    }

    /// <summary>
    /// Leaves for the fallback without throwing when it takes this stage's rejection, after the stages around it give
    /// back what they would only give back in a handler, which the jump skips; throws the rejection otherwise (and
    /// always in a hedged attempt, whose failure reaches the fallback through the race).
    /// </summary>
    public void WriteRejection(Stage stage, string state)
    {
        Writer.Open();
        string rejection = state + ".CreateRejection()";
        if (Pipeline.CachedFallback is { } cache && cache.Answers(stage) && !InHedgedAttempt)
        {
            // The cache answers first; on a miss the rejection goes on to the fallback, or to the caller.
            Writer.Line($"{Literals.Exception} §cacheRejection = {rejection};");
            rejection = "§cacheRejection";
            cache.WriteAnswer(this, rejection, beforeReturn: () =>
            {
                foreach (Stage holder in Pipeline.HoldersAround(stage))
                {
                    holder.WriteGiveBack(this);
                }
            });
        }

        if (Method.Fallback is { } fallback && stage.GoesToFallback(fallback) && !InHedgedAttempt)
        {
            foreach (Stage holder in Pipeline.HoldersAround(stage))
            {
                holder.WriteGiveBack(this);
            }

            if (fallback.Failure != FailureParameter.None)
            {
                Writer.Line($"{FallbackStage.Failure} = {FailureOf(fallback.Failure, rejection)};");
            }

            Writer.Line($"goto {FallbackStage.Label};");
        }
        else
        {
            Writer.Line($"throw {rejection};");
        }

        Writer.Close();
    }
}
