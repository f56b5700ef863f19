using System;

namespace Resilience.Generators;

/// <summary>[CircuitBreaker]: a permit per attempt from the shared breaker, and the attempt's outcome reported to it.</summary>
internal sealed class CircuitBreakerStage : StartStage
{
    private const string Permit = "__permit";

    private readonly CircuitBreakerSpec _breaker;

    public CircuitBreakerStage(CircuitBreakerSpec breaker) => _breaker = breaker;

    public override string StartDescription => "the breaker";

    public override Carried Carried => new($"{Literals.Runtime}CircuitBreakerPermit", "__firstPermit", Permit);

    public override SharedState State => new(
        "CircuitBreakerState",
        "CircuitBreaker",
        _breaker.Name,
        $"GetOrAddCircuitBreaker({Literals.String(_breaker.Name)}, {Literals.Options("CircuitBreakerOptions", _breaker.Settings)})");

    public override bool GoesToFallback(FallbackSpec fallback) => fallback.HandlesBrokenCircuit;

    public override string WriteStart(MethodContext m, SynchronousStart start, string token)
    {
        string field = m.FieldName(State.Role);
        m.Writer.Line($"if (!{field}.TryEnter(out var {Permit}))");
        if (m.Pipeline.Stages[0] is FallbackStage { AnswersOpenCircuitAtOnce: true } fallback)
        {
            fallback.WriteAnswerAtOnce(m, $"{field}.CreateRejection()", () => start.ReleaseBefore(this));
        }
        else
        {
            start.HandOffRefused(this);
        }

        m.Writer.Blank();
        return token;
    }

    public override void WriteStartRelease(MethodContext m) => WriteSuccess(m);

    /// <summary>Reports that the attempt ended in a way the breaker does not count, which frees a probe's slot.</summary>
    public void WriteIgnored(MethodContext m) => m.Writer.Line($"{m.FieldName(State.Role)}.RecordIgnored(in {Permit});");

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        string field = m.FieldName(State.Role);
        if (m.IsAsync)
        {
            // A refusal in the synchronous start was counted there; the breaker is not asked again.
            w.Line($"var {Permit} = {Carried.Parameter};");
            w.Line($"if (__resume == {Literals.Number(m.Pipeline.BreakerRefused)} || ({m.UnlessStarted(this)}!{field}.TryEnter(out {Permit})))");
        }
        else
        {
            w.Line($"if (!{field}.TryEnter(out var {Permit}))");
        }

        m.WriteRejection(this, field);
        w.Blank();
        w.Open("try");
        inner(token);
        w.Close();
        w.Line($"catch ({Literals.Exception} __breakerError)");
        w.Open();

        // Only the caller's cancellation is neutral: a total timeout cutting an attempt short is a timeout, and a timeout is a failure.
        string counts = ExceptionFilter.Condition("__breakerError", m.Method.CancellationToken, rejections: true, _breaker.Handle, _breaker.Ignore);
        if (m.Pipeline.TotalTimeout is { } total)
        {
            counts = $"(__breakerError is {Literals.OperationCanceled} && {total.Source}.HasTimedOut) || ({counts})";
        }

        w.Line($"if ({counts})");
        w.Open();
        w.Line($"{field}.RecordFailure(in {Permit});");
        w.Close();
        w.Open("else");
        WriteIgnored(m);
        w.Close();
        w.Blank();
        w.Line("throw;");
        w.Close();
        w.Blank();
        WriteSuccess(m);
        w.Blank();
    }

    private void WriteSuccess(MethodContext m) => m.Writer.Line($"{m.FieldName(State.Role)}.RecordSuccess(in {Permit});");
}
