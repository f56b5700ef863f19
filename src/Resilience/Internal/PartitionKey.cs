using System;
using System.Collections.Generic;

namespace Resilience;

/// <summary>
/// A key of a policy kept per key (<see cref="KeyedRateLimiterState{TKey}"/>, <see cref="KeyedCircuitBreakerState{TKey}"/>)
/// wrapped so that null is a key like any other and value types are not boxed.
/// </summary>
internal readonly struct PartitionKey<TKey> : IEquatable<PartitionKey<TKey>>
{
    private readonly TKey _value;

    public PartitionKey(TKey value) => _value = value;

    public bool Equals(PartitionKey<TKey> other) => EqualityComparer<TKey>.Default.Equals(_value, other._value);

    public override bool Equals(object? obj) => obj is PartitionKey<TKey> other && Equals(other);

    public override int GetHashCode() => _value is null ? 0 : EqualityComparer<TKey>.Default.GetHashCode(_value);
}
