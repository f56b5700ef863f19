namespace Resilience.Generators;

/// <summary>What a resilient method returns, which decides the shape of the generated code.</summary>
internal enum ReturnKind
{
    Void,
    Value,
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}
