namespace Resilience.Generators.Tests.Model;

/// <summary>
/// The array the models hold their lists in: equal by its elements, so that the incremental pipeline sees an unchanged
/// model as unchanged, with a hash that tells different lists apart (a constant one would still be correct, and make
/// every cache lookup compare every entry).
/// </summary>
public sealed class EquatableArrayTests
{
    [Fact]
    public void Arrays_with_the_same_elements_are_equal_by_every_means_and_hash_alike()
    {
        var a = new EquatableArray<string>(new[] { "retry", "breaker" });
        var b = new[] { "retry", "breaker" }.ToEquatableArray();

        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(EquatableArray<string>.Empty, default);
        Assert.Equal(EquatableArray<string>.Empty.GetHashCode(), default(EquatableArray<string>).GetHashCode());
    }

    [Fact]
    public void Arrays_that_differ_are_not_equal_and_hash_apart()
    {
        EquatableArray<string>[] arrays =
        [
            default,
            new[] { "retry" }.ToEquatableArray(),
            new[] { "breaker" }.ToEquatableArray(),
            new[] { "retry", "breaker" }.ToEquatableArray(),
            new[] { "breaker", "retry" }.ToEquatableArray(),
            new[] { "retry", "breaker", "timeout" }.ToEquatableArray(),
        ];

        for (int i = 0; i < arrays.Length; i++)
        {
            for (int j = i + 1; j < arrays.Length; j++)
            {
                Assert.False(arrays[i].Equals(arrays[j]));
                Assert.True(arrays[i] != arrays[j]);
                Assert.NotEqual(arrays[i].GetHashCode(), arrays[j].GetHashCode());
            }
        }

        Assert.False(arrays[1].Equals((object)"retry"));
        Assert.False(arrays[1].Equals(null));
    }
}
