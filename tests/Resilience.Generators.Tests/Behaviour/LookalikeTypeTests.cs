using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// Types named Task, ValueTask and CancellationToken that are not the framework's, though their namespace is
/// System.Threading.Tasks or System.Threading, because they are nested in another type. A method returning one
/// is an ordinary synchronous method returning a value; a parameter of one is an ordinary parameter.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class LookalikeTypeTests : RegistryTest
{
    private const string Consumer = """
        using System;
        using Resilience;

        namespace System.Threading.Tasks
        {
            public class Outer
            {
                public sealed class Task
                {
                    public int Calls;
                }

                public sealed class Task<T>
                {
                    public T Value = default!;
                }

                public sealed class ValueTask
                {
                    public int Calls;
                }

                public readonly struct ValueTask<T>
                {
                    public ValueTask(T value) => Value = value;

                    public T Value { get; }
                }
            }
        }

        namespace System.Threading
        {
            public class Outer
            {
                public readonly struct CancellationToken
                {
                    public CancellationToken(int value) => Value = value;

                    public int Value { get; }
                }
            }
        }

        namespace Lookalikes
        {
            using System.Threading.Tasks;
            using Token = System.Threading.Outer.CancellationToken;

            public partial class Subject
            {
                private int _calls;

                [Retry(2, DelayMs = 0)]
                public partial Outer.Task<int> GetTaskOfT(int value);

                private Outer.Task<int> GetTaskOfTCore(int value) => new Outer.Task<int> { Value = value + Next() };

                [Retry(2, DelayMs = 0)]
                public partial Outer.Task GetTask();

                private Outer.Task GetTaskCore() => new Outer.Task { Calls = Next() };

                [Retry(2, DelayMs = 0)]
                public partial Outer.ValueTask<int> GetValueTaskOfT(int value);

                private Outer.ValueTask<int> GetValueTaskOfTCore(int value) => new(value + Next());

                [Retry(2, DelayMs = 0)]
                public partial Outer.ValueTask GetValueTask();

                private Outer.ValueTask GetValueTaskCore() => new Outer.ValueTask { Calls = Next() };

                [Retry(2, DelayMs = 0)]
                [Fallback(nameof(Fallback))]
                public partial int Read(Token token);

                private int ReadCore(Token token) => token.Value + Next();

                private int Fallback(Token token) => -1;

                /// <summary>The number of this call of a core; throws on every odd one, so that each method succeeds on its retry.</summary>
                private int Next() => ++_calls % 2 == 1 ? throw new InvalidOperationException("odd call") : _calls;
            }

            public static class Program
            {
                public static string Run()
                {
                    var subject = new Subject();
                    return string.Join(
                        "|",
                        subject.GetTaskOfT(40).Value,
                        subject.GetTask().Calls,
                        subject.GetValueTaskOfT(34).Value,
                        subject.GetValueTask().Calls,
                        subject.Read(new Token(30)));
                }
            }
        }
        """;

    [Fact]
    public void Methods_returning_or_taking_nested_lookalikes_are_ordinary_synchronous_methods()
    {
        Assembly consumer = ConsumerBuild.Build(Consumer, OptimizationLevel.Debug);

        // Each core fails once and succeeds on the retry: the calls are numbered 2, 4, 6, 8 and 10.
        Assert.Equal("42|4|40|8|40", ConsumerBuild.Call(consumer, "Lookalikes.Program", "Run"));
    }
}
