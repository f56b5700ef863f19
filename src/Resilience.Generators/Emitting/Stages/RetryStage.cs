using System;

namespace Resilience.Generators;

/// <summary>
/// [Retry]: the stages inside it run again after a failure it handles (an exception its filter lets through, or a
/// result its judge calls a failure), after the backoff's delay. The delay is waited outside the attempt's
/// handlers, so that nothing it throws (the caller's cancellation, a total timeout) is taken for a failed attempt.
/// With a retry budget (MaxRetryRatio), each call is counted as it starts, and a retry the budget refuses is not made:
/// the last failure surfaces, as when the attempts run out.
/// </summary>
internal sealed class RetryStage : Stage
{
    /// <summary>What the retry budget's field is named after.</summary>
    public const string BudgetRole = "RetryBudget";

    private readonly RetrySpec _retry;

    /// <param name="retry">The retry's settings.</param>
    /// <param name="budgetName">The name the retry budget is shared by: the method's policy name.</param>
    public RetryStage(RetrySpec retry, string budgetName)
    {
        _retry = retry;
        State = !retry.HasBudget ? null : new(
            "RetryBudgetState",
            BudgetRole,
            budgetName,
            $"GetOrAddRetryBudget({Literals.String(budgetName)}, {Literals.Options("RetryBudgetOptions", retry.BudgetSettings)})");
    }

    public override bool UsesRegistry => true;

    /// <summary>The shared retry budget; null when the retry has none, and then nothing is counted.</summary>
    public override SharedState? State { get; }

    public override bool RegistersAtLoad => _retry.HasBudget;

    /// <summary>Counts the call in the retry budget, once, before its first attempt.</summary>
    public override void WriteCallStart(MethodContext m)
    {
        if (_retry.HasBudget)
        {
            m.Writer.Line($"{m.MemberName(BudgetRole)}.RecordCall();");
        }
    }

    /// <summary>Whether <paramref name="result"/> is a failure to retry; null when the retry judges no result.</summary>
    public string? ResultJudge(MethodContext m, string result) => m.ResultJudge(_retry.HandleResult, result);

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        // Read only once an attempt has failed: configuration's value when it overrides the compiled-in one.
        string maxAttempts = $"({MethodContext.Overrides}?.MaxAttempts ?? {Literals.Number(_retry.MaxAttempts)})";
        string? observed = token == Literals.NoToken ? null : token;

        // A request that cannot be sent twice safely (a POST or PATCH without an Idempotency-Key) gets one attempt.
        string attemptsLeft = $"§attempt < {maxAttempts}", noAttemptsLeft = $"§attempt >= {maxAttempts}";
        if (_retry.Request is { } request)
        {
            attemptsLeft += $" && {Literals.Runtime}HttpRequests.MayRetry({request})";
            noAttemptsLeft += $" || !{Literals.Runtime}HttpRequests.MayRetry({request})";
        }

        string condition = attemptsLeft + " && " + OwnRejections(m) + ExceptionFilter.Condition("§retryError", observed, rejections: false, _retry.Handle, _retry.Ignore);
        if (_retry.Handle.IsEmpty)
        {
            // Retrying everything still leaves out a client error that an HttpRequestException reports: it fails again.
            condition += $" && !{Literals.Runtime}HttpOutcomes.IsPermanentFailure(§retryError)";
        }

        if (_retry.ShouldRetry is not null)
        {
            condition += $" && {_retry.ShouldRetry}(§retryError)";
        }

        w.Open("for (int §attempt = 1; ; §attempt++)");
        w.Line("global::System.TimeSpan §delay;");
        w.Open("try");
        inner(token);
        if (ResultJudge(m, CoreStage.Result) is { } judge)
        {
            w.Line($"if ({noAttemptsLeft} || !{judge})");
            w.Open();
            w.Line("break;");
            w.Close();
            w.Blank();
            WriteDelay(m, $"{m.OutcomeType}.FromResult({CoreStage.Result})", m.Method.ResultIsHttpResponse ? $"{Literals.Runtime}RequestedDelay.Of({CoreStage.Result}, §registry.TimeProvider)" : null);
            if (m.Pipeline.TotalTimeout is { } resultTotal)
            {
                // A wait the total timeout would cut short is not started: the last result is returned at once.
                w.Line($"if (!{resultTotal.Source}.LeavesTimeFor(§delay))");
                w.Open();
                w.Line("break;");
                w.Close();
                w.Blank();
            }

            // A retry the budget refuses is not made: the last result is returned, as when the attempts run out.
            WriteBudgetCheck(m, "break;");

            w.Line($"§started = {m.TelemetryField}.RecordRetryOnResult(§started, §attempt, §delay, {CoreStage.Result});");
            WriteRetriedInHedgedAttempt(m);
            if (_retry is { OnRetry: { } onRetry, OnRetryTakes: FailureParameter.Outcome })
            {
                w.Line($"{onRetry}({m.OutcomeType}.FromResult({CoreStage.Result}), §attempt, §delay);");
            }

            m.WriteDiscard(CoreStage.Result);
        }
        else
        {
            w.Line("break;");
        }

        w.Close();
        w.Line($"catch ({Literals.Exception} §retryError) when ({condition})");
        w.Open();
        WriteDelay(m, m.Method.HasResult ? $"{m.OutcomeType}.FromException(§retryError)" : "§retryError", $"{Literals.Runtime}RequestedDelay.Of(§retryError)");
        if (m.Pipeline.TotalTimeout is { } total)
        {
            // A wait the total timeout would cut short is not started: the failure surfaces at once.
            w.Line($"if (!{total.Source}.LeavesTimeFor(§delay))");
            w.Open();
            w.Line("throw;");
            w.Close();
            w.Blank();
        }

        // A retry the budget refuses is not made: the failure surfaces, as when the attempts run out.
        WriteBudgetCheck(m, "throw;");

        w.Line($"§started = {m.TelemetryField}.RecordRetry(§started, §attempt, §delay, §retryError);");
        WriteRetriedInHedgedAttempt(m);
        if (_retry.OnRetry is { } hook)
        {
            w.Line($"{hook}({m.FailureOf(_retry.OnRetryTakes, "§retryError")}, §attempt, §delay);");
        }

        w.Close();
        w.Blank();
        w.Line(m.Wait("§registry", "Delay", $"§delay, {token}") + ";");
        w.Close();
        w.Blank();
    }

    /// <summary>Asks the retry budget for the retry, and writes <paramref name="refused"/> for when it says no; nothing without a budget.</summary>
    private void WriteBudgetCheck(MethodContext m, string refused)
    {
        if (!_retry.HasBudget)
        {
            return;
        }

        m.Writer.Line($"if (!{m.MemberName(BudgetRole)}.TryRetry())");
        m.Writer.Open();
        m.Writer.Line(refused);
        m.Writer.Close();
        m.Writer.Blank();
    }

    /// <summary>
    /// Writes the delay before the next attempt: the <c>DelayGenerator</c>'s answer for <paramref name="failure"/>, else
    /// <paramref name="requested"/> (what the dependency asked for), else the backoff; capped at <c>MaxDelayMs</c>.
    /// </summary>
    private void WriteDelay(MethodContext m, string failure, string? requested)
    {
        if (_retry.DelayGenerator is { } generator)
        {
            requested = requested is null ? $"{generator}({failure}, §attempt)" : $"{generator}({failure}, §attempt) ?? {requested}";
        }

        string backoff = $"{Literals.Runtime}RetryBackoff.GetDelay({MethodContext.Overrides}, {Literals.Enum(_retry.Backoff)}, §attempt, {Literals.Number(_retry.DelayMs)}, {Literals.Number(_retry.MaxDelayMs)}, {Literals.Bool(_retry.Jitter)}";
        m.Writer.Line(requested is null ? $"§delay = {backoff});" : $"§delay = {backoff}, {requested});");
    }

    /// <summary>
    /// "Not a rejection by the method's own breaker or bulkhead, " as a filter's first part: they say the dependency
    /// must be left alone. A rejection from a nested call is retried, after the time it asks for.
    /// </summary>
    private static string OwnRejections(MethodContext m)
    {
        var names = new System.Collections.Generic.List<string>(2);
        if (m.Pipeline.CircuitBreaker is { } breaker)
        {
            names.Add(breaker.State.Name);
        }

        if (m.Pipeline.Bulkhead is { State.Name: { } bulkhead } && !names.Contains(bulkhead))
        {
            names.Add(bulkhead);
        }

        if (names.Count == 0)
        {
            return string.Empty;
        }

        var policies = new string[names.Count];
        for (int i = 0; i < policies.Length; i++)
        {
            policies[i] = $"§rejection.PolicyName == {Literals.String(names[i])}";
        }

        return $"!(§retryError is {Literals.Runtime}ResilienceRejectedException §rejection && ({string.Join(" || ", policies)})) && ";
    }

    /// <summary>
    /// Inside a hedged attempt, whose call token is a copy: tells the race, so that the call counts as retried
    /// (<c>resilience.retry.calls</c>) whichever attempt wins.
    /// </summary>
    private static void WriteRetriedInHedgedAttempt(MethodContext m)
    {
        if (m.InHedgedAttempt)
        {
            m.Writer.Line($"{HedgingStage.Race}.NoteRetried();");
        }
    }
}
