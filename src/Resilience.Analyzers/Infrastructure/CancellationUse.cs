using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>Whether a method body uses a CancellationToken parameter, and whether it does anything that could be cancelled.</summary>
internal static class CancellationUse
{
    /// <summary>
    /// True when <paramref name="blocks"/> never read <paramref name="token"/> although they await, or call a method
    /// that takes (or has an overload that takes) a CancellationToken: work the token could have stopped. A body that
    /// only returns a value has nothing to cancel and is not reported.
    /// </summary>
    public static bool IgnoresToken(ImmutableArray<IOperation> blocks, IParameterSymbol token, KnownTypeSymbols types)
    {
        bool cancellable = false;
        foreach (IOperation block in blocks)
        {
            foreach (IOperation operation in block.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IParameterReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Parameter, token):
                        return false;
                    case IAwaitOperation:
                    case IForEachLoopOperation { IsAsynchronous: true }:
                    case IUsingOperation { IsAsynchronous: true }:
                        cancellable = true;
                        break;
                    case IInvocationOperation invocation when !cancellable:
                        cancellable = AcceptsToken(invocation.TargetMethod, types);
                        break;
                }
            }
        }

        return cancellable;
    }

    private static bool AcceptsToken(IMethodSymbol method, KnownTypeSymbols types)
        => method.Parameters.Any(p => types.IsCancellationToken(p.Type))
            || method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().Any(m => m.Parameters.Any(p => types.IsCancellationToken(p.Type)));
}
