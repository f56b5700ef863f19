using System;
using System.Threading;

namespace Resilience;

/// <summary>
/// A registry of its own for the code that runs inside the scope: from <see cref="Begin"/> to <see cref="Dispose"/>, in
/// this asynchronous flow and the tasks and threads it starts, every policy of <see cref="ResilienceRegistry.Default"/>
/// (the state generated code keeps in static fields) acts as the policy of the same name in <see cref="Registry"/>, with
/// its attribute settings, its own counts and its own clock; a method's retry, timeout, hedging and chaos settings and
/// its retry budget are the scope registry's too. Meant for tests, so that tests of annotated code can run in
/// parallel without seeing each other's breakers, limits and clocks.
/// </summary>
/// <remarks>
/// <para>
/// Free when unused: until the first scope is begun, a policy pays one read of a static field per call to find that no
/// scope exists. Once one has been begun, calls made outside any scope look up the current scope (an
/// <see cref="AsyncLocal{T}"/> read) and go on with <see cref="ResilienceRegistry.Default"/>'s state.
/// </para>
/// <para>
/// The scope's registry starts with every policy registered in <see cref="ResilienceRegistry.Default"/> so far (fresh:
/// closed, full, on the system clock); others are added at their first call. Set its <see cref="ResilienceRegistry.TimeProvider"/>
/// to a fake clock, <see cref="ResilienceRegistry.Configure"/> it, add listeners to it and read its breakers as you
/// would <see cref="ResilienceRegistry.Default"/>'s. What the scope does not separate: the <c>Resilience</c> meter's
/// instruments (the process has one meter), <see cref="ResilienceRegistry.DistributedStore"/> (a scope has none: its
/// distributed policies decide locally), and states obtained from a registry other than
/// <see cref="ResilienceRegistry.Default"/>.
/// </para>
/// <para>
/// Work started inside the scope keeps it after <see cref="Dispose"/> (an <see cref="ExecutionContext"/> captured then);
/// work started after goes back to the enclosing scope, or to <see cref="ResilienceRegistry.Default"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using ResilienceScope scope = ResilienceScope.Begin();
/// scope.Registry.TimeProvider = new FakeTimeProvider();
/// await client.GetReceiptAsync("r-1", ct);                    // counts in scope.Registry only
/// CircuitState state = scope.Registry.CircuitBreaker("payments").State;
/// </code>
/// </example>
public sealed class ResilienceScope : IDisposable
{
    private static readonly AsyncLocal<ResilienceScope?> s_current = new();

    // Set once the first scope is begun, never cleared: until then no policy looks for a scope.
    private static volatile bool s_anyBegun;

    private readonly ResilienceScope? _enclosing;
    private int _disposed;

    private ResilienceScope(ResilienceScope? enclosing)
    {
        _enclosing = enclosing;
        Registry = new ResilienceRegistry();
        Registry.RegisterPoliciesOf(ResilienceRegistry.Default);
    }

    /// <summary>The registry of this scope: where the policies of the code running inside it keep their state.</summary>
    public ResilienceRegistry Registry { get; }

    /// <summary>The innermost scope this code runs in; null outside any.</summary>
    public static ResilienceScope? Current => s_anyBegun ? s_current.Value : null;

    /// <summary>True once a scope was begun in this process; until then policies do not look for one.</summary>
    internal static bool AnyBegun => s_anyBegun;

    /// <summary>
    /// Begins a scope with a new registry for the code that runs in this asynchronous flow from now on, until the scope is
    /// disposed. Scopes nest: disposing an inner one goes back to the outer one.
    /// </summary>
    public static ResilienceScope Begin()
    {
        var scope = new ResilienceScope(s_current.Value);
        s_anyBegun = true;
        s_current.Value = scope;
        return scope;
    }

    /// <summary>
    /// Ends the scope for the code that runs after this in the flow that began it: it uses the enclosing scope again, or
    /// <see cref="ResilienceRegistry.Default"/>. Disposing it from another flow, or twice, changes nothing there (a flow's
    /// scope ends with the flow).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && ReferenceEquals(s_current.Value, this))
        {
            s_current.Value = _enclosing;
        }
    }

    /// <summary>
    /// The registry that stands in for <paramref name="registry"/> here: the current scope's when
    /// <paramref name="registry"/> is <see cref="ResilienceRegistry.Default"/> and this code runs in a scope; null
    /// otherwise. Call it only once <see cref="AnyBegun"/> is true.
    /// </summary>
    internal static ResilienceRegistry? RegistryInsteadOf(ResilienceRegistry registry)
        => ReferenceEquals(registry, ResilienceRegistry.Default) ? s_current.Value?.Registry : null;
}
