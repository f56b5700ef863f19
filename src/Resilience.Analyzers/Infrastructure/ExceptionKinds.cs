using System.Collections.Generic;
using Microsoft.CodeAnalysis;

using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>Exceptions whose retry cannot help: the permanent ones (bugs, bad input, cancellation) and the rejections.</summary>
internal sealed class ExceptionKinds
{
    private const string SameBug = "it is a bug, which fails the same way on every attempt";

    private readonly List<(INamedTypeSymbol Type, bool Subclasses, string Reason)> _permanent = new();
    private readonly KnownTypeSymbols _types;

    public ExceptionKinds(Compilation compilation, KnownTypeSymbols types)
    {
        _types = types;
        Add("System.ArgumentException", "the same arguments fail the same way on every attempt");
        Add("System.FormatException", "the same input is malformed on every attempt");
        Add("System.NotSupportedException", "what is not supported stays unsupported on every attempt");
        Add("System.NotImplementedException", "what is not implemented stays unimplemented on every attempt");
        Add("System.InvalidCastException", SameBug);
        Add("System.NullReferenceException", SameBug);
        Add("System.IndexOutOfRangeException", SameBug);
        Add("System.DivideByZeroException", SameBug);
        Add("System.ObjectDisposedException", "a disposed object stays disposed on every attempt");

        // Exactly: its subclass TaskCanceledException is how HttpClient reports its own timeout, which may be worth a retry.
        Add("System.OperationCanceledException", "a cancellation is a request to stop, not a failure that heals", subclasses: false);

        void Add(string name, string reason, bool subclasses = true)
        {
            if (compilation.GetTypeByMetadataName(name) is { } type)
            {
                _permanent.Add((type, subclasses, reason));
            }
        }
    }

    /// <summary>Why retrying <paramref name="type"/> cannot help; null when it may be transient.</summary>
    public string? PermanentReason(ITypeSymbol? type)
    {
        if (type is null)
        {
            return null;
        }

        foreach ((INamedTypeSymbol permanent, bool subclasses, string reason) in _permanent)
        {
            if (subclasses ? KnownTypeSymbols.IsOrDerivesFrom(type, permanent) : SymbolEqualityComparer.Default.Equals(type, permanent))
            {
                return reason;
            }
        }

        return null;
    }

    public bool IsCancellation(ITypeSymbol? type) => _types.OperationCanceledException.Is(type);

    /// <summary>True for the policies' rejections (open circuit, full bulkhead, exhausted rate limit), which are never retried nor counted.</summary>
    public bool IsRejection(ITypeSymbol? type) => _types.ResilienceRejectedException.IsBaseOf(type);

    public bool IsException(ITypeSymbol? type) => _types.IsException(type);

    /// <summary>True when an entry of <paramref name="ignore"/> is <paramref name="type"/> or a base of it: Ignore wins over Handle.</summary>
    public static bool IsIgnored(ITypeSymbol? type, IReadOnlyList<ITypeSymbol?> ignore)
    {
        foreach (ITypeSymbol? ignored in ignore)
        {
            if (KnownTypeSymbols.IsOrDerivesFrom(type, ignored))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when entry <paramref name="index"/> of a Retry's Handle may be removed without emptying it of useful entries.</summary>
    public bool OthersRemain(IReadOnlyList<ITypeSymbol?> handle, int index)
    {
        for (int i = 0; i < handle.Count; i++)
        {
            if (i != index && handle[i] is { } other && PermanentReason(other) is null && !IsRejection(other) && !IsException(other))
            {
                return true;
            }
        }

        return false;
    }
}
