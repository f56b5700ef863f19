using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Stress;

// Many threads on one breaker while the clock moves past its break again and again, so that it opens, half-opens,
// closes and opens again under load. The counts it reports must be exactly the calls made.
[Collection(StressCollection.Name)]
public sealed class CircuitBreakerStressTests
{
    private const int Threads = 8;
    private const int BreakMs = 1_000;

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public CircuitBreakerStressTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Theory]
    [InlineData(0.0)] // consecutive failures
    [InlineData(0.3)] // failure ratio (four calls in ten fail)
    public async Task The_counters_add_up_to_the_calls_made_and_no_more_probes_run_than_allowed(double failureRatio)
    {
        const int CallsEach = 3_000;
        const int HalfOpenMaxCalls = 2;
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("stress", new CircuitBreakerOptions
        {
            FailureThreshold = 5,
            FailureRatio = failureRatio,
            MinimumThroughput = 10,
            SamplingDurationMs = 10_000,
            BreakDurationMs = BreakMs,
            HalfOpenMaxCalls = HalfOpenMaxCalls,
            SuccessThreshold = 2,
        });
        long successes = 0, failures = 0, ignored = 0, rejections = 0;
        int probesInside = 0, mostProbesInside = 0;
        int transitions = 0;
        breaker.StateChanged += (_, _) => Interlocked.Increment(ref transitions);

        using var workersDone = new CancellationTokenSource();
        Task ticking = Task.Run(async () =>
        {
            while (!workersDone.IsCancellationRequested)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(BreakMs / 4));
                await Task.Yield();
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(() =>
        {
            var random = new Random(thread);
            for (int i = 0; i < CallsEach; i++)
            {
                if (!breaker.TryEnter(out CircuitBreakerPermit permit))
                {
                    Interlocked.Increment(ref rejections);
                    continue;
                }

                if (permit.IsProbe)
                {
                    BulkheadStressTests.InterlockedMax(ref mostProbesInside, Interlocked.Increment(ref probesInside));
                    Interlocked.Decrement(ref probesInside);
                }

                switch (random.Next(10))
                {
                    case < 4:
                        Interlocked.Increment(ref failures);
                        breaker.RecordFailure(permit);
                        break;
                    case < 9:
                        Interlocked.Increment(ref successes);
                        breaker.RecordSuccess(permit);
                        break;
                    default:
                        Interlocked.Increment(ref ignored);
                        breaker.RecordIgnored(permit);
                        break;
                }
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));
        workersDone.Cancel();
        await ticking;

        CircuitBreakerMetrics metrics = breaker.GetMetrics();
        Assert.Equal(successes, metrics.Successes);
        Assert.Equal(failures, metrics.Failures);
        Assert.Equal(rejections, metrics.Rejections);
        Assert.Equal(successes + failures, metrics.Calls);
        Assert.Equal(Threads * CallsEach, successes + failures + ignored + rejections);
        Assert.InRange(mostProbesInside, 0, HalfOpenMaxCalls);
        Assert.True(rejections > 0 && transitions > 0, $"The breaker never opened ({rejections} rejections, {transitions} transitions): the run tested nothing.");

        // Once the load is gone, the breaker still works: past its break, the probes close it.
        _clock.Advance(TimeSpan.FromMilliseconds(BreakMs * 100));
        for (int i = 0; i < 2 && breaker.State != CircuitState.Closed; i++)
        {
            Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
            breaker.RecordSuccess(probe);
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_half_open_breaker_lets_exactly_its_probes_through_however_many_threads_ask()
    {
        const int HalfOpenMaxCalls = 3;
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("stress", new CircuitBreakerOptions
        {
            FailureThreshold = 1,
            BreakDurationMs = BreakMs,
            HalfOpenMaxCalls = HalfOpenMaxCalls,
        });

        Assert.True(breaker.TryEnter(out CircuitBreakerPermit first));
        breaker.RecordFailure(first);
        for (int round = 0; round < 20; round++)
        {
            Assert.Equal(CircuitState.Open, breaker.State);
            _clock.Advance(TimeSpan.FromMilliseconds(BreakMs));

            var probes = new System.Collections.Concurrent.ConcurrentBag<CircuitBreakerPermit>();
            long refused = 0;
            TestSupport.RunOnThreads(Threads, _ =>
            {
                for (int i = 0; i < 50; i++)
                {
                    if (breaker.TryEnter(out CircuitBreakerPermit permit))
                    {
                        probes.Add(permit);
                    }
                    else
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            });

            Assert.Equal(HalfOpenMaxCalls, probes.Count);
            Assert.All(probes, p => Assert.True(p.IsProbe));
            Assert.Equal((Threads * 50) - HalfOpenMaxCalls, refused);

            // The probes fail: the breaker opens again, for the next round.
            foreach (CircuitBreakerPermit probe in probes)
            {
                breaker.RecordFailure(probe);
            }
        }
    }
}
