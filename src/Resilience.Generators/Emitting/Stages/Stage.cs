using System;

namespace Resilience.Generators;

/// <summary>
/// One policy's part of a generated method. The <see cref="Pipeline"/> puts the stages in order; each writes its
/// state, its locals, and its code around the stages inside it.
/// </summary>
internal abstract class Stage
{
    /// <summary>True when the stage reads <c>ResilienceRegistry.Default</c> in the body (timeouts and delays), which is then kept in a local.</summary>
    public virtual bool UsesRegistry => false;

    /// <summary>The shared state the stage keeps in a static field; null when it keeps none.</summary>
    public virtual SharedState? State => null;

    /// <summary>True when its state is registered as the assembly loads (see <c>ResiliencePolicies</c>), so the registry lists it before the first call.</summary>
    public virtual bool RegistersAtLoad => false;

    /// <summary>
    /// True when what the stage holds for the stages inside it is given back in a handler rather than a <c>finally</c>,
    /// so that a jump to the fallback from inside it must give it back first (see <see cref="WriteGiveBack"/>).
    /// </summary>
    public virtual bool GivesBackInHandler => false;

    /// <summary>True when the stage's rejection goes to <paramref name="fallback"/> without an exception being thrown.</summary>
    public virtual bool GoesToFallback(FallbackSpec fallback) => false;

    /// <summary>True when the stage's rejection is answered from <paramref name="cache"/> first.</summary>
    public virtual bool GoesToCachedFallback(CachedFallbackSpec cache) => false;

    /// <summary>Writes the members the stage adds beside the method; by default its shared state's field.</summary>
    public virtual void WriteFields(MethodContext m)
    {
        if (State is { } state)
        {
            m.Writer.Line(Literals.GeneratedCode);
            m.Writer.Line($"private static readonly {Literals.Runtime}{state.Type} {m.MemberName(state.Role)} =");
            m.Writer.Line($"    {Literals.Registry}.{state.Initializer};");
            m.Writer.Blank();
        }
    }

    /// <summary>Gives back what the stage holds, with no outcome to report: a jump to the fallback, or a fallback answering in the start.</summary>
    public virtual void WriteGiveBack(MethodContext m)
    {
    }

    /// <summary>
    /// Writes what the stage does once a call, as the call starts (before the synchronous start of an asynchronous
    /// method, or the body of a synchronous one); nothing by default.
    /// </summary>
    public virtual void WriteCallStart(MethodContext m)
    {
    }

    /// <summary>Declares the locals the stage needs before the body's outer <c>try</c>.</summary>
    public virtual void WriteLocals(MethodContext m)
    {
    }

    /// <summary>The shared state in <paramref name="field"/>, or its partition for the call's key when the policy is kept per key.</summary>
    protected static string PartitionOf(string field, PartitionKeySpec? key)
    {
        if (key is null)
        {
            return field;
        }

        string argument = key.ByAuthority ? $"{Literals.Runtime}HttpAuthority.Of({key.Parameter})"
            : key.Type == "object?" ? $"(object?){key.Parameter}"
            : key.Parameter;
        return $"{field}.GetPartition({argument})";
    }

    /// <summary>Writes the stage around <paramref name="inner"/>, which writes the stages inside it given the token they get.</summary>
    /// <param name="token">The token the stage and those inside it get: the caller's, or a timeout's.</param>
    public abstract void WriteBody(MethodContext m, string token, Action<string> inner);
}

/// <summary>A stage's shared state: the registry's object it keeps in a field, obtained once.</summary>
/// <param name="Type">The runtime type, without namespace: <c>CircuitBreakerState</c>.</param>
/// <param name="Role">What the field is named after: <c>CircuitBreaker</c> gives <c>__{MemberKey}_CircuitBreaker</c>.</param>
/// <param name="Name">The policy's name, which methods share the state by.</param>
/// <param name="Initializer">The registry call that obtains it: <c>GetOrAddCircuitBreaker("payments", new ...)</c>.</param>
internal sealed record SharedState(string Type, string Role, string Name, string Initializer)
{
    /// <summary>
    /// The state of a policy that may be kept per key: <c>{policy}State</c> from <c>GetOrAdd{policy}</c>, or
    /// <c>Keyed{policy}State&lt;TKey&gt;</c> from <c>GetOrAddKeyed{policy}&lt;TKey&gt;</c> when it has a key parameter.
    /// </summary>
    /// <param name="policy">The runtime's word for the policy: <c>CircuitBreaker</c>, <c>RateLimiter</c>.</param>
    /// <param name="role">What the field is named after.</param>
    /// <param name="name">The policy's name.</param>
    /// <param name="key">The key parameter; null when the policy is not kept per key.</param>
    /// <param name="options">The options' expression: <c>new global::Resilience.CircuitBreakerOptions { ... }</c>.</param>
    public static SharedState PerKey(string policy, string role, string name, PartitionKeySpec? key, string options)
        => new(
            key is null ? policy + "State" : $"Keyed{policy}State<{key.Type}>",
            role,
            name,
            (key is null ? $"GetOrAdd{policy}(" : $"GetOrAddKeyed{policy}<{key.Type}>(") + $"{Literals.String(name)}, {options})");
}

/// <summary>
/// A stage that the synchronous start of an asynchronous method takes part in: it takes what it needs only if it is
/// free now, and hands the call to the asynchronous helper otherwise, which then knows how far the start got.
/// </summary>
internal abstract class StartStage : Stage
{
    /// <summary>The stage's place among the start's stages, from 1: the helper's <c>__resume</c> says how many are done.</summary>
    public int Ordinal { get; private set; }

    /// <summary>What the stage has done when <c>__resume</c> reaches it, for the helper's comment: "the breaker".</summary>
    public abstract string StartDescription { get; }

    /// <summary>What the start passes on to the helper when it got past this stage; null when it passes nothing.</summary>
    public virtual Carried? Carried => null;

    /// <summary>Writes the stage's part of the synchronous start, and returns the token the stages inside it get.</summary>
    public abstract string WriteStart(MethodContext m, SynchronousStart start, string token);

    /// <summary>Ends what the stage began in the start after the call succeeded at once; written in reverse order of the stages.</summary>
    public virtual void WriteStartSuccess(MethodContext m)
    {
    }

    /// <summary>Takes the stage's place in the start, once, as the pipeline is built.</summary>
    public void Place(int ordinal)
    {
        if (Ordinal != 0)
        {
            throw new InvalidOperationException($"{GetType().Name} is already stage {Ordinal} of the start.");
        }

        Ordinal = ordinal;
    }
}

/// <summary>What the synchronous start passes on to the helper for one stage.</summary>
/// <param name="Type">The helper parameter's type.</param>
/// <param name="Parameter">The helper parameter: <c>__firstPermit</c>.</param>
/// <param name="Local">The start's local passed to it: <c>__permit</c>.</param>
internal sealed record Carried(string Type, string Parameter, string Local);
