using System;

namespace Resilience.Generators;

/// <summary>[Bulkhead]: a slot per attempt, given back when the attempt ends.</summary>
internal sealed class BulkheadStage : StartStage
{
    /// <summary>What the bulkhead's field is named after.</summary>
    public const string Role = "Bulkhead";

    private readonly BulkheadSpec _bulkhead;
    private SharedState? _state;

    public BulkheadStage(BulkheadSpec bulkhead) => _bulkhead = bulkhead;

    public override string StartDescription => "the bulkhead";

    public override SharedState State => _state ??= new(
        "BulkheadState",
        Role,
        _bulkhead.Name,
        $"GetOrAddBulkhead({Literals.String(_bulkhead.Name)}, {Literals.Options("BulkheadOptions", _bulkhead.Settings)})");

    public override bool RegistersAtLoad => true;

    public override bool GoesToFallback(FallbackSpec fallback) => fallback.HandlesBulkheadRejection;

    public override bool GoesToCachedFallback(CachedFallbackSpec cache) => cache.HandlesBulkheadRejection;

    public override string WriteStart(MethodContext m, SynchronousStart start, string token)
    {
        m.Writer.Line($"if (!{m.MemberName(Role)}.TryEnter())");
        start.HandOff(done: Ordinal - 1);
        m.Writer.Blank();
        return token;
    }

    public override void WriteStartSuccess(MethodContext m) => WriteGiveBack(m);

    public override void WriteGiveBack(MethodContext m) => m.Writer.Line($"{m.MemberName(Role)}.Release();");

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        string field = m.MemberName(Role);
        w.Line($"if ({m.UnlessStarted(this)}!{m.Wait(field, "Enter", token)})");
        m.WriteRejection(this, field);
        w.Blank();
        w.Open("try");
        inner(token);
        w.Close();
        w.Open("finally");
        WriteGiveBack(m);
        w.Close();
        w.Blank();
    }
}
