using System;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>[Timeout]: a token cancelled after the timeout, for every attempt (outside the retry) or for each one (innermost).</summary>
internal sealed class TimeoutStage : StartStage
{
    private readonly TimeoutSpec _timeout;

    public TimeoutStage(TimeoutSpec timeout)
    {
        _timeout = timeout;
        Carried = new($"{Literals.Runtime}TimeoutCancellationSource?", IsTotal ? "§firstTotalTimeout" : "§firstAttemptTimeout", Source);
    }

    /// <summary>The local holding the timeout's source: its token, whether it has fired, its return.</summary>
    public string Source => IsTotal ? "§totalTimeout" : "§attemptTimeout";

    public override string StartDescription => IsTotal ? "the total timeout" : "the attempt's timeout";

    public override Carried Carried { get; }

    public override bool UsesRegistry => true;

    private bool IsTotal => _timeout.Scope == TimeoutScope.Total;

    // Named in full, never 'var': a type named 'var' in the user's scope would take its place.
    private const string SourceType = Literals.Runtime + "TimeoutCancellationSource";

    private string Duration => Literals.TimeSpan(_timeout.Milliseconds);

    /// <summary>The duration in the body: configuration's, when it overrides the compiled-in one (the start runs only when it does not).</summary>
    private string LiveDuration => $"({MethodContext.Overrides}?.Timeout ?? {Duration})";

    public override string WriteStart(MethodContext m, SynchronousStart start, string token)
    {
        m.Writer.Line($"{SourceType} {Source} = {Literals.Registry}.StartTimeout({Duration}, {token});");
        return Source + ".Token";
    }

    public override void WriteStartSuccess(MethodContext m) => WriteGiveBack(m);

    public override void WriteGiveBack(MethodContext m) => m.Writer.Line($"{Source}.Return();");

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        string canceled = IsTotal ? "§totalCanceled" : "§attemptCanceled";
        string scope = Literals.Enum(_timeout.Scope);
        w.Line($"{SourceType} {Source} = {m.StartedOr(this, Carried.Parameter + "!", $"§registry.StartTimeout({LiveDuration}, {token})")};");
        w.Open("try");
        inner(Source + ".Token");
        w.Close();
        w.Line($"catch ({Literals.OperationCanceled} {canceled}) when ({Source}.HasTimedOut)");
        w.Open();
        w.Line($"{m.TelemetryField}.RecordTimeout({Source}.Timeout, {scope});");
        w.Line($"throw new {Literals.Runtime}TimeoutRejectedException({Literals.String(m.Method.PolicyName)}, {Source}.Timeout, {scope}, {canceled});");
        w.Close();
        w.Open("finally");
        WriteGiveBack(m);
        w.Close();
        w.Blank();
    }
}
