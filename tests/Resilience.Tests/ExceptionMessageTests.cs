using System.Globalization;

namespace Resilience.Tests;

public sealed class ExceptionMessageTests
{
    [Fact]
    public void An_open_circuit_names_the_breaker_and_the_rest_of_the_break()
    {
        var error = new BrokenCircuitException("payments", CircuitState.Open, TimeSpan.FromSeconds(20));

        Assert.Equal("The circuit breaker 'payments' is open: calls are rejected for another 20 s.", error.Message);
        Assert.Equal("payments", error.PolicyName);
        Assert.Equal(TimeSpan.FromSeconds(20), error.RetryAfter);
        Assert.Equal(CircuitState.Open, error.State);
    }

    [Fact]
    public void An_open_circuit_that_cannot_say_how_long_its_break_lasts_does_not_invent_a_time()
    {
        var error = new BrokenCircuitException("payments", CircuitState.Open, retryAfter: null);

        Assert.Equal("The circuit breaker 'payments' is open: the call was rejected.", error.Message);
        Assert.Null(error.RetryAfter);
    }

    [Fact]
    public void An_isolated_circuit_says_it_waits_for_a_reset()
    {
        var error = new BrokenCircuitException("payments", CircuitState.Isolated, retryAfter: null);

        Assert.Contains("'payments'", error.Message, StringComparison.Ordinal);
        Assert.Contains("isolated", error.Message, StringComparison.Ordinal);
        Assert.Contains("reset", error.Message, StringComparison.Ordinal);
        Assert.Null(error.RetryAfter);
    }

    [Fact]
    public void A_busy_half_open_circuit_says_its_probes_are_in_flight()
    {
        var error = new BrokenCircuitException("payments", CircuitState.HalfOpen, retryAfter: null);

        Assert.Contains("'payments'", error.Message, StringComparison.Ordinal);
        Assert.Contains("half-open", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_bulkhead_names_itself_its_slots_and_its_queue()
    {
        var error = new BulkheadRejectedException("orders-db", maxConcurrency: 4, maxQueue: 10);

        Assert.Equal("The bulkhead 'orders-db' rejected the call: all 4 slot(s) are in use and its queue of 10 is full.", error.Message);
        Assert.Equal("orders-db", error.PolicyName);
        Assert.Null(error.RetryAfter);
    }

    [Fact]
    public void A_bulkhead_with_a_wait_limit_names_both_causes()
    {
        var error = new BulkheadRejectedException("orders-db", maxConcurrency: 4, maxQueue: 10, maxWaitMs: 250);

        Assert.Equal("The bulkhead 'orders-db' rejected the call: all 4 slot(s) are in use, and either its queue of 10 was full or the call waited longer than 250 ms for a slot.", error.Message);
    }

    [Fact]
    public void A_bulkhead_without_a_queue_says_it_has_none()
    {
        var error = new BulkheadRejectedException("orders-db", maxConcurrency: 4, maxQueue: 0);

        Assert.Equal("The bulkhead 'orders-db' rejected the call: all 4 slot(s) are in use and it has no queue.", error.Message);
    }

    [Theory]
    [InlineData(250, "250 ms")]
    [InlineData(1_500, "1.5 s")]
    [InlineData(60_000, "60 s")]
    public void A_rate_limit_rejection_names_the_limit_and_the_retry_after(int retryAfterMs, string expected)
    {
        var error = new RateLimitRejectedException("search-api", TimeSpan.FromMilliseconds(retryAfterMs));

        Assert.Equal($"The rate limit 'search-api' rejected the call: no permit is free; retry after {expected}.", error.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(retryAfterMs), error.RetryAfter);
    }

    [Theory]
    [InlineData(0.4, "0 ms")]
    [InlineData(1.6, "2 ms")]
    [InlineData(999.4, "999 ms")]
    public void A_retry_after_under_a_second_is_given_in_whole_milliseconds(double retryAfterMs, string expected)
    {
        var error = new RateLimitRejectedException("search-api", TimeSpan.FromMilliseconds(retryAfterMs));

        Assert.EndsWith($"retry after {expected}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rate_limit_rejection_without_a_retry_after_does_not_invent_one()
    {
        var error = new RateLimitRejectedException("search-api", retryAfter: null);

        Assert.Contains("'search-api'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("retry after", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rate_limit_rejection_carries_its_permit_limit_when_given_one()
    {
        var withLimit = new RateLimitRejectedException("search-api", TimeSpan.FromSeconds(1), permitLimit: 10);
        var without = new RateLimitRejectedException("search-api", TimeSpan.FromSeconds(1));

        Assert.Equal(10, withLimit.PermitLimit);
        Assert.Null(without.PermitLimit);
        Assert.Equal(without.Message, withLimit.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_rate_limit_rejection_refuses_a_permit_limit_below_1(int permitLimit)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>("permitLimit", () => new RateLimitRejectedException("search-api", retryAfter: null, permitLimit));

        Assert.Contains("at least 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Durations_are_formatted_the_same_in_every_culture()
    {
        CultureInfo previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");

            var error = new RateLimitRejectedException("search-api", TimeSpan.FromMilliseconds(1_500));

            Assert.Contains("retry after 1.5 s", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void A_timeout_names_the_operation_and_the_timeout()
    {
        var cancellation = new OperationCanceledException();
        var error = new TimeoutRejectedException("Shop.PaymentsClient.GetReceiptAsync", TimeSpan.FromSeconds(2), TimeoutScope.PerAttempt, cancellation);

        Assert.Equal("'Shop.PaymentsClient.GetReceiptAsync' did not complete within its timeout of 2 s.", error.Message);
        Assert.Equal("Shop.PaymentsClient.GetReceiptAsync", error.PolicyName);
        Assert.Equal(TimeSpan.FromSeconds(2), error.Timeout);
        Assert.Same(cancellation, error.InnerException);
    }

    [Fact]
    public void A_total_timeout_says_it_covered_the_retries()
    {
        var error = new TimeoutRejectedException("Shop.PaymentsClient.GetReceiptAsync", TimeSpan.FromMilliseconds(500), TimeoutScope.Total);

        Assert.Contains("total timeout of 500 ms, retries included", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeoutScope.Total, error.Scope);
    }

    [Fact]
    public void A_timeout_is_a_TimeoutException()
        => Assert.IsAssignableFrom<TimeoutException>(new TimeoutRejectedException("op", TimeSpan.FromSeconds(1)));

    [Theory]
    [InlineData(typeof(BrokenCircuitException))]
    [InlineData(typeof(BulkheadRejectedException))]
    [InlineData(typeof(RateLimitRejectedException))]
    public void Every_rejection_is_a_ResilienceRejectedException(Type rejection)
    {
        Assert.True(typeof(ResilienceRejectedException).IsAssignableFrom(rejection));
        Assert.True(rejection.IsSealed);
    }

    [Fact]
    public void A_rejection_requires_a_policy_name()
        => Assert.Throws<ArgumentNullException>(() => new RateLimitRejectedException(null!, retryAfter: null));

    [Fact]
    public void A_result_that_cannot_be_serialized_names_its_owner_and_type_and_what_to_return_instead()
    {
        var error = new ResultSerializationException(typeof(Stream), "orders.charge", new NotSupportedException("Serialization of 'System.IO.Stream' is not supported."));

        Assert.Contains("'orders.charge' cannot keep a result of type System.IO.Stream", error.Message, StringComparison.Ordinal);
        Assert.Contains("Return a type System.Text.Json can write and read back (public properties or a constructor it can bind)", error.Message, StringComparison.Ordinal);
        Assert.Contains("[JsonSerializable(typeof(Stream))]", error.Message, StringComparison.Ordinal);
    }
}
