using System;
using System.Collections.Generic;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>
/// [Hedging]: a race of attempts (<c>HedgingRace</c>), each running the stages inside the hedging in the hedged
/// attempt's method with a token of its own; the first acceptable outcome wins and the others are cancelled.
/// </summary>
internal sealed class HedgingStage : Stage
{
    /// <summary>The local holding the race.</summary>
    public const string Race = "§hedging";

    /// <summary>The hedged attempt's parameter holding its number in the race.</summary>
    public const string Attempt = "§hedgedAttempt";

    /// <summary>The token of the attempt, where the method takes none of its own to carry it.</summary>
    public const string Token = "§hedgedToken";

    private readonly HedgingSpec _hedging;

    public HedgingStage(HedgingSpec hedging) => _hedging = hedging;

    public override bool UsesRegistry => true;

    /// <summary>Whether <paramref name="result"/> is a failure another attempt may still beat; null when the hedging judges no result.</summary>
    public string? ResultJudge(MethodContext m, string result) => m.ResultJudge(_hedging.HandleResult, result);

    /// <summary>The method that runs one hedged attempt.</summary>
    public static string AttemptMethod(MethodContext m) => m.MemberName("Hedged");

    /// <summary>The race's type: <c>HedgingRace&lt;T&gt;</c>, of <c>bool</c> for a method without a result.</summary>
    public static string RaceType(MethodContext m) => $"{Literals.Runtime}HedgingRace<{(m.Method.HasResult ? m.Method.ResultType : "bool")}>";

    /// <summary>The hedged attempt's parameters after the method's own.</summary>
    public static IEnumerable<string> AttemptParameters(MethodContext m)
    {
        yield return "long §started";
        yield return RaceType(m) + " " + Race;
        yield return "int " + Attempt;
        if (m.Pipeline.TotalTimeout is { } total)
        {
            // The stages inside look at it: a total timeout cutting an attempt short is a timeout, not a cancellation.
            yield return $"{Literals.Runtime}TimeoutCancellationSource {total.Source}";
        }

        if (m.Method.CancellationToken is null)
        {
            yield return Literals.CancellationToken + " " + Token;
        }
    }

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        string delay = _hedging.DelayMs switch
        {
            HedgingRules.FallbackModeDelayMs => Literals.InfiniteTimeSpan,
            int milliseconds => Literals.TimeSpan(milliseconds),
        };

        // Configuration's Hedging section of the policy name replaces the attribute's settings while the application runs.
        string maxAttempts = $"({MethodContext.Overrides}?.HedgingMaxAttempts ?? {Literals.Number(_hedging.MaxAttempts)})";
        string liveDelay = $"({MethodContext.Overrides}?.HedgingDelay ?? {delay})";
        w.Line($"{RaceType(m)} {Race} = new {RaceType(m)}({m.TelemetryField}, {maxAttempts}, {liveDelay}, §registry.TimeProvider, {token});");
        w.Open("try");
        w.Line($"while ({Race}.TryLaunch(out int {Attempt}, out {Literals.CancellationToken} {Token}))");
        w.Open();
        var arguments = new List<string>();
        foreach (ParameterSpec parameter in m.Method.Parameters)
        {
            arguments.Add(parameter.IsCancellationToken && parameter.Name == m.Method.CancellationToken ? Token : parameter.Value);
        }

        arguments.Add("§started");
        arguments.Add(Race);
        arguments.Add(Attempt);
        if (m.Pipeline.TotalTimeout is { } total)
        {
            arguments.Add(total.Source);
        }

        if (m.Method.CancellationToken is null)
        {
            arguments.Add(Token);
        }

        // The attempt reports its own end to the race and never throws: its task is not awaited.
        w.Line($"{Literals.Tasks}Task §hedgedTask = {AttemptMethod(m)}{m.Method.TypeParameters}({string.Join(", ", arguments)});");
        w.Line($"await {Race}.WaitAsync().ConfigureAwait(false);");
        w.Close();
        w.Blank();
        if (m.Pipeline.Retry is not null)
        {
            // The retries inside ran on copies of the call token (one per attempt) and told the race; read before the
            // outcome, as a failure thrown from GetResult is recorded with the token as it is then.
            w.Line($"§started = {Race}.CallToken(§started);");
        }

        w.Line(m.Method.HasResult ? $"{CoreStage.Result} = {Race}.GetResult();" : $"{Race}.GetResult();");
        w.Close();
        w.Open("finally");
        w.Line($"{Race}.Dispose();");
        w.Close();
        w.Blank();
    }

    /// <summary>Writes the end of the hedged attempt's method: its outcome, reported to the race.</summary>
    public void WriteReport(MethodContext m, Action body)
    {
        IndentedWriter w = m.Writer;
        w.Open("try");
        body();
        if (!m.Method.HasResult)
        {
            w.Line($"{Race}.Succeed({Attempt}, true, true);");
        }
        else
        {
            string? judge = ResultJudge(m, CoreStage.Result);
            w.Line($"{Race}.Succeed({Attempt}, {CoreStage.Result}, {(judge is null ? "true" : "!" + judge)});");
        }

        w.Close();
        w.Line($"catch ({Literals.Exception} §hedgedError)");
        w.Open();
        w.Line($"{Race}.Fail({Attempt}, §hedgedError);");
        w.Close();
    }
}
