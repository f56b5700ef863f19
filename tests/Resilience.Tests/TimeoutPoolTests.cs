using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>
/// The timeout sources' pool: each thread keeps one source of its own, nested rents share a small process-wide pool,
/// and a source that cannot be reused has its timer disposed. Each test runs on threads of its own (so that their
/// own source starts empty) and on a clock of its own that counts the timers created and disposed on it.
/// </summary>
/// <remarks>
/// The shared pool is process-wide, and a rent on another clock takes and disposes a source found there: the
/// collection runs alone so that no other test's rents take a source these tests expect to find again.
/// </remarks>
[Collection(TimeoutPoolCollection.Name)]
public sealed class TimeoutPoolTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly CountingClock _clock = new();

    [Fact]
    public void A_returned_source_stays_with_the_thread_that_rented_it_and_another_thread_gets_its_own()
    {
        OnNewThread(() =>
        {
            TimeoutCancellationSource mine = Rent();
            mine.Return();

            TimeoutCancellationSource? others = null;
            OnNewThread(() =>
            {
                others = Rent();
                others.Return();
            });

            Assert.NotSame(mine, others);
            TimeoutCancellationSource again = Rent();
            Assert.Same(mine, again);
            again.Return();
        });

        Assert.Equal(2, _clock.Created);
    }

    [Fact]
    public void A_nested_rent_takes_a_shared_source_that_the_next_nested_rent_gets_back()
    {
        OnNewThread(() =>
        {
            TimeoutCancellationSource outer = Rent();
            TimeoutCancellationSource inner = Rent();
            Assert.NotSame(outer, inner);
            inner.Return();
            outer.Return();

            TimeoutCancellationSource outerAgain = Rent();
            TimeoutCancellationSource innerAgain = Rent();

            Assert.Same(outer, outerAgain);
            Assert.Same(inner, innerAgain);
            _clock.Advance(Second);
            Assert.True(innerAgain.HasTimedOut);
            Assert.True(outerAgain.HasTimedOut);
            innerAgain.Return();
            outerAgain.Return();
        });

        Assert.Equal(2, _clock.Created);
    }

    [Fact]
    public void Returning_more_nested_sources_than_the_pool_holds_disposes_the_rest_and_keeps_the_others_for_reuse()
    {
        const int Nested = 80; // more than the shared pool holds on any machine (64 at most)
        OnNewThread(() =>
        {
            var sources = new Stack<TimeoutCancellationSource>();
            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < Nested; i++)
                {
                    sources.Push(Rent());
                }

                while (sources.Count > 0)
                {
                    sources.Pop().Return();
                }
            }
        });

        // Round one created a timer per rent; round two reused the thread's own source and what the pool kept.
        Assert.InRange(_clock.Created, Nested + 1, (2 * Nested) - 4);
        Assert.True(_clock.Disposed >= Nested - 1 - 64, $"Only {_clock.Disposed} timers were disposed.");
        Assert.Equal(_clock.Created - _clock.Disposed - 1, PooledOnThisClock());
    }

    [Fact]
    public void A_free_source_made_for_another_clock_has_its_timer_disposed_when_the_thread_rents_on_a_new_clock()
    {
        var earlier = new CountingClock();
        OnNewThread(() =>
        {
            TimeoutCancellationSource.Rent(Second, CancellationToken.None, earlier).Return();

            Rent().Return();
        });

        Assert.Equal(1, earlier.Created);
        Assert.Equal(1, earlier.Disposed);
        Assert.Equal(1, _clock.Created);
        Assert.Equal(0, _clock.Disposed);
    }

    [Fact]
    public void A_source_that_timed_out_is_replaced_by_a_new_source_of_the_same_thread()
    {
        OnNewThread(() =>
        {
            TimeoutCancellationSource timedOut = Rent();
            _clock.Advance(Second);
            timedOut.Return();
            Assert.Equal(1, _clock.Disposed);

            TimeoutCancellationSource replacement = Rent();
            replacement.Return();

            // The replacement is this thread's own, not in the shared pool, where another thread's nested rent would find it.
            TimeoutCancellationSource? othersOuter = null;
            TimeoutCancellationSource? othersInner = null;
            OnNewThread(() =>
            {
                othersOuter = Rent();
                othersInner = Rent();
                othersInner.Return();
                othersOuter.Return();
            });

            Assert.NotSame(replacement, othersOuter);
            Assert.NotSame(replacement, othersInner);
            TimeoutCancellationSource again = Rent();
            Assert.Same(replacement, again);
            again.Return();
        });
    }

    [Fact]
    public void A_pooled_timer_does_not_capture_the_execution_context_of_the_call_that_created_it()
    {
        OnNewThread(() =>
        {
            Rent().Return();

            Assert.Equal(new[] { true }, _clock.FlowSuppressedAtCreation);
            Assert.False(ExecutionContext.IsFlowSuppressed(), "Renting left the flow of the execution context suppressed.");
        });
    }

    [Fact]
    public void A_rent_while_the_callers_flow_is_suppressed_leaves_it_suppressed()
    {
        OnNewThread(() =>
        {
            AsyncFlowControl flow = ExecutionContext.SuppressFlow();
            Rent().Return();

            Assert.True(ExecutionContext.IsFlowSuppressed());
            flow.Undo();
        });

        Assert.Equal(new[] { true }, _clock.FlowSuppressedAtCreation);
    }

    private TimeoutCancellationSource Rent() => TimeoutCancellationSource.Rent(Second, CancellationToken.None, _clock);

    /// <summary>How many sources of this test's clock the shared pool holds: taken with nested rents on a new thread.</summary>
    private int PooledOnThisClock()
    {
        int pooled = 0;
        OnNewThread(() =>
        {
            var sources = new Stack<TimeoutCancellationSource>();
            sources.Push(Rent()); // the new thread's own source
            for (int i = 0; i < 64; i++)
            {
                int before = _clock.Created;
                sources.Push(Rent());
                if (_clock.Created == before)
                {
                    pooled++;
                }
            }

            while (sources.Count > 0)
            {
                sources.Pop().Return();
            }
        });

        return pooled;
    }

    private static void OnNewThread(Action body) => TestSupport.RunOnThreads(1, _ => body());
}

/// <summary>The timeout pool's tests run alone (see <see cref="TimeoutPoolTests"/>).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimeoutPoolCollection
{
    public const string Name = "TimeoutPool";
}
