using System;

namespace Resilience.Generators;

/// <summary>[Bulkhead]: a slot per attempt, given back when the attempt ends.</summary>
internal sealed class BulkheadStage : StartStage
{
    private readonly BulkheadSpec _bulkhead;

    public BulkheadStage(BulkheadSpec bulkhead) => _bulkhead = bulkhead;

    public override string StartDescription => "the bulkhead";

    public override SharedState State => new(
        "BulkheadState",
        "Bulkhead",
        _bulkhead.Name,
        $"GetOrAddBulkhead({Literals.String(_bulkhead.Name)}, {Literals.Options("BulkheadOptions", _bulkhead.Settings)})");

    public override bool GoesToFallback(FallbackSpec fallback) => fallback.HandlesBulkheadRejection;

    public override string WriteStart(MethodContext m, SynchronousStart start, string token)
    {
        m.Writer.Line($"if (!{m.FieldName(State.Role)}.TryEnter())");
        start.HandOff(done: Ordinal - 1);
        m.Writer.Blank();
        return token;
    }

    public override void WriteStartRelease(MethodContext m) => m.Writer.Line($"{m.FieldName(State.Role)}.Release();");

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        string field = m.FieldName(State.Role);
        w.Line($"if ({m.UnlessStarted(this)}!{m.Wait(field, "Enter", token)})");

        // Going to the fallback leaves the breaker's handler unrun: its permit is given back here.
        CircuitBreakerStage? breaker = m.Pipeline.CircuitBreaker;
        m.WriteRejection(this, field, breaker is null ? null : () => breaker.WriteIgnored(m));
        w.Blank();
        w.Open("try");
        inner(token);
        w.Close();
        w.Open("finally");
        w.Line($"{field}.Release();");
        w.Close();
        w.Blank();
    }
}
