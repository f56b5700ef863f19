using Microsoft.CodeAnalysis.Testing;
using Resilience.Generators;
using V = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.NonIdempotentRetryAnalyzer>;

namespace Resilience.Analyzers.Tests;

/// <summary>RES0100: retry on an operation that is not known to be idempotent.</summary>
public sealed class NonIdempotentRetryTests
{
    private static DiagnosticResult ByName(int location, string method, string verb)
        => V.Diagnostic(DiagnosticDescriptors.NonIdempotentRetry).WithLocation(location).WithArguments(method, $"its name says it changes state ('{verb}')", "retried", "[Retry]");

    private static DiagnosticResult ByHttp(string method, string verb, string call)
        => V.Diagnostic(DiagnosticDescriptors.NonIdempotentRetry).WithLocation(0).WithLocation(1).WithArguments(method, $"'{method}Core' sends an HTTP {verb} ({call})", "retried", "[Retry]");

    [Fact]
    public Task A_retried_Create_is_reported_on_its_Retry_attribute_with_the_whole_message()
        => V.AnalyzerAsync(
            """
            public partial class Orders
            {
                [{|#0:Retry(3)|}]
                public partial Task<int> CreateOrderAsync(string item, CancellationToken ct);
                private Task<int> CreateOrderAsyncCore(string item, CancellationToken ct) => Task.FromResult(1);
            }
            """,
            ByName(0, "CreateOrderAsync", "Create").WithMessage(
                "'CreateOrderAsync' is retried, but its name says it changes state ('Create'): an attempt that failed after the work was done is run again, "
                + "so the work can happen twice; make the operation idempotent and mark it [Idempotent], or remove [Retry]"));

    [Fact]
    public Task A_hedged_Send_is_reported_on_its_Hedging_attribute()
        => V.AnalyzerAsync(
            """
            public partial class Mail
            {
                [{|#0:Hedging(2, DelayMs = 100)|}]
                public partial Task SendEmailAsync(string to, CancellationToken ct);
                private Task SendEmailAsyncCore(string to, CancellationToken ct) => Task.CompletedTask;
            }
            """,
            V.Diagnostic(DiagnosticDescriptors.NonIdempotentRetry).WithLocation(0).WithArguments("SendEmailAsync", "its name says it changes state ('Send')", "hedged", "[Hedging]").WithMessage(
                "'SendEmailAsync' is hedged, but its name says it changes state ('Send'): an attempt that failed after the work was done is run again, "
                + "so the work can happen twice; make the operation idempotent and mark it [Idempotent], or remove [Hedging]"));

    [Fact]
    public Task A_hedged_method_whose_core_posts_is_reported()
        => V.AnalyzerAsync(
            """
            public partial class Usage(HttpClient http)
            {
                [{|#0:Hedging(3, DelayMs = 0)|}]
                public partial Task<HttpResponseMessage> ReportAsync(string usage, CancellationToken ct);
                private async Task<HttpResponseMessage> ReportAsyncCore(string usage, CancellationToken ct)
                    => await {|#1:http.PostAsync("usage", new StringContent(usage), ct)|};
            }
            """,
            V.Diagnostic(DiagnosticDescriptors.NonIdempotentRetry).WithLocation(0).WithLocation(1).WithArguments("ReportAsync", "'ReportAsyncCore' sends an HTTP POST (HttpClient.PostAsync)", "hedged", "[Hedging]"));

    [Fact]
    public Task A_method_with_retry_and_hedging_is_reported_once_on_its_Retry()
        => V.AnalyzerAsync(
            """
            public partial class Orders
            {
                [Hedging(2)]
                [{|#0:Retry(3)|}]
                public partial Task<int> CreateOrderAsync(string item, CancellationToken ct);
                private Task<int> CreateOrderAsyncCore(string item, CancellationToken ct) => Task.FromResult(1);
            }
            """,
            ByName(0, "CreateOrderAsync", "Create"));

    [Fact]
    public Task An_idempotent_hedged_Send_is_not_reported()
        => V.AnalyzerAsync(
            """
            public partial class Mail
            {
                [Hedging(2)]
                [Idempotent]
                public partial Task SendEmailAsync(string to, CancellationToken ct);
                private Task SendEmailAsyncCore(string to, CancellationToken ct) => Task.CompletedTask;
            }
            """);

    [Theory]
    [InlineData("SendEmailAsync", "Send")]
    [InlineData("ChargeCardAsync", "Charge")]
    [InlineData("PayInvoiceAsync", "Pay")]
    [InlineData("SubmitAsync", "Submit")]
    [InlineData("TransferFundsAsync", "Transfer")]
    [InlineData("PublishEventAsync", "Publish")]
    [InlineData("EnqueueJobAsync", "Enqueue")]
    [InlineData("InsertRowAsync", "Insert")]
    [InlineData("AddItemAsync", "Add")]
    [InlineData("PostCommentAsync", "Post")]
    [InlineData("PlaceOrderAsync", "Place")]
    [InlineData("TryCreateUserAsync", "Create")]
    [InlineData("SaveAndPublishAsync", "Publish")]
    [InlineData("SendSMSAsync", "Send")]
    [InlineData("create_order", "create")]
    public Task A_verb_that_changes_state_is_reported(string name, string verb)
        => V.AnalyzerAsync(
            $$"""
            public partial class C
            {
                [{|#0:Retry|}]
                public partial Task {{name}}(CancellationToken ct);
                private Task {{name}}Core(CancellationToken ct) => Task.CompletedTask;
            }
            """,
            ByName(0, name, verb));

    [Theory]
    [InlineData("GetCreatorAsync")]
    [InlineData("GetOrderAsync")]
    [InlineData("FindUserAsync")]
    [InlineData("ListPostsAsync")]
    [InlineData("FetchPaymentsAsync")]
    [InlineData("SearchAsync")]
    [InlineData("CountOrdersAsync")]
    [InlineData("PostsAsync")]
    [InlineData("SendersAsync")]
    [InlineData("AddressLookupAsync")]
    [InlineData("PaymentStatusAsync")]
    [InlineData("OrderStatusAsync")]
    [InlineData("RecordCountAsync")]
    [InlineData("GetOrCreateSessionAsync")]
    [InlineData("UpdatePostAsync")]
    [InlineData("DeleteOrderAsync")]
    public Task A_name_that_reads_or_is_idempotent_is_not_reported(string name)
        => V.AnalyzerAsync(
            $$"""
            public partial class C
            {
                [Retry]
                public partial Task {{name}}(CancellationToken ct);
                private Task {{name}}Core(CancellationToken ct) => Task.CompletedTask;
            }
            """);

    [Fact]
    public Task Idempotent_silences_it()
        => V.AnalyzerAsync(
            """
            public partial class C
            {
                [Retry(3)]
                [Idempotent]
                public partial Task ChargeAsync(string key, CancellationToken ct);
                private Task ChargeAsyncCore(string key, CancellationToken ct) => Task.CompletedTask;
            }
            """);

    [Fact]
    public Task A_retry_of_one_attempt_repeats_nothing_and_is_not_reported()
        => V.AnalyzerAsync(
            """
            public partial class C
            {
                [Retry(1)]
                public partial Task ChargeAsync(CancellationToken ct);
                private Task ChargeAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """);

    [Fact]
    public Task A_method_without_retry_is_not_reported()
        => V.AnalyzerAsync(
            """
            public partial class C
            {
                [Timeout(1_000)]
                [CircuitBreaker(5)]
                public partial Task ChargeAsync(CancellationToken ct);
                private Task ChargeAsyncCore(CancellationToken ct) => Task.CompletedTask;
            }
            """);

    [Fact]
    public Task A_core_that_posts_is_reported_with_the_call_as_additional_location()
        => V.AnalyzerAsync(
            """
            public partial class Telemetry(HttpClient http)
            {
                [{|#0:Retry(3)|}]
                public partial Task ReportUsageAsync(string usage, CancellationToken ct);
                private async Task ReportUsageAsyncCore(string usage, CancellationToken ct)
                    => await {|#1:http.PostAsync("usage", new StringContent(usage), ct)|};
            }
            """,
            ByHttp("ReportUsageAsync", "POST", "HttpClient.PostAsync"));

    [Fact]
    public Task A_core_that_patches_is_reported()
        => V.AnalyzerAsync(
            """
            public partial class Profiles(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial Task<HttpResponseMessage> RenameAsync(string name, CancellationToken ct);
                private Task<HttpResponseMessage> RenameAsyncCore(string name, CancellationToken ct)
                    => {|#1:http.PatchAsync("profile", new StringContent(name), ct)|};
            }
            """,
            ByHttp("RenameAsync", "PATCH", "HttpClient.PatchAsync"));

    [Fact]
    public Task A_core_that_posts_json_is_reported()
        => V.AnalyzerAsync(
            """
            using System.Net.Http.Json;

            public partial class Events(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial Task TrackAsync(string name, CancellationToken ct);
                private Task TrackAsyncCore(string name, CancellationToken ct)
                    => {|#1:http.PostAsJsonAsync("events", name, ct)|};
            }
            """,
            ByHttp("TrackAsync", "POST", "HttpClientJsonExtensions.PostAsJsonAsync"));

    [Fact]
    public Task A_core_that_sends_a_request_created_with_post_is_reported()
        => V.AnalyzerAsync(
            """
            public partial class Jobs(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial Task RunAsync(string job, CancellationToken ct);
                private Task RunAsyncCore(string job, CancellationToken ct)
                    => {|#1:http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "jobs/" + job), ct)|};
            }
            """,
            ByHttp("RunAsync", "POST", "HttpClient.SendAsync"));

    [Fact]
    public Task A_request_held_in_a_local_is_followed()
        => V.AnalyzerAsync(
            """
            public partial class Jobs(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial Task RunAsync(string job, CancellationToken ct);
                private async Task RunAsyncCore(string job, CancellationToken ct)
                {
                    using var request = new HttpRequestMessage(new HttpMethod("PATCH"), "jobs/" + job);
                    using var response = await {|#1:http.SendAsync(request, ct)|};
                }
            }
            """,
            ByHttp("RunAsync", "PATCH", "HttpClient.SendAsync"));

    [Fact]
    public Task A_method_assigned_after_creation_is_followed()
        => V.AnalyzerAsync(
            """
            public partial class Jobs(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial Task RunAsync(string job, CancellationToken ct);
                private async Task RunAsyncCore(string job, CancellationToken ct)
                {
                    var request = new HttpRequestMessage { RequestUri = new Uri("https://example.test/jobs") };
                    request.Method = HttpMethod.Post;
                    await {|#1:http.SendAsync(request, ct)|};
                }
            }
            """,
            ByHttp("RunAsync", "POST", "HttpClient.SendAsync"));

    [Fact]
    public Task A_core_in_another_file_of_the_partial_type_is_read()
        => V.AnalyzerAsync(
            new[]
            {
                ("Jobs.cs", """
                    public partial class Jobs
                    {
                        [{|#0:Retry|}]
                        public partial Task RunAsync(string job, CancellationToken ct);
                    }
                    """),
                ("Jobs.Core.cs", """
                    public partial class Jobs(HttpClient http)
                    {
                        private Task RunAsyncCore(string job, CancellationToken ct) => {|#1:http.PostAsync("jobs", null, ct)|};
                    }
                    """),
            },
            ByHttp("RunAsync", "POST", "HttpClient.PostAsync"));

    [Theory]
    [InlineData("http.GetStringAsync(\"jobs\", ct)")]
    [InlineData("http.PutAsync(\"jobs\", null, ct)")]
    [InlineData("http.DeleteAsync(\"jobs\", ct)")]
    [InlineData("http.SendAsync(new HttpRequestMessage(HttpMethod.Put, \"jobs\"), ct)")]
    [InlineData("http.SendAsync(new HttpRequestMessage(), ct)")]
    [InlineData("http.SendAsync(Build(), ct)")]
    public Task Idempotent_verbs_and_requests_made_elsewhere_are_not_reported(string call)
        => V.AnalyzerAsync(
            $$"""
            public partial class Jobs(HttpClient http)
            {
                [Retry]
                public partial Task RunAsync(CancellationToken ct);
                private Task RunAsyncCore(CancellationToken ct) => {{call}};
                private static HttpRequestMessage Build() => new(HttpMethod.Post, "jobs");
            }
            """);

    [Fact]
    public Task A_read_that_posts_a_query_is_not_reported()
        => V.AnalyzerAsync(
            """
            public partial class Catalog(HttpClient http)
            {
                [Retry]
                public partial Task<HttpResponseMessage> SearchAsync(string query, CancellationToken ct);
                private Task<HttpResponseMessage> SearchAsyncCore(string query, CancellationToken ct)
                    => http.PostAsync("graphql", new StringContent(query), ct);
            }
            """);

    [Fact]
    public Task A_core_that_posts_under_Idempotent_is_not_reported()
        => V.AnalyzerAsync(
            """
            public partial class Jobs(HttpClient http)
            {
                [Retry, Idempotent]
                public partial Task RunAsync(CancellationToken ct);
                private Task RunAsyncCore(CancellationToken ct) => http.PostAsync("jobs", null, ct);
            }
            """);

    [Fact]
    public Task Generated_code_is_skipped()
        => V.AnalyzerAsync(
            new[]
            {
                ("Orders.g.cs", """
                    public partial class Orders
                    {
                        [Retry]
                        public partial Task CreateAsync(CancellationToken ct);
                        private Task CreateAsyncCore(CancellationToken ct) => Task.CompletedTask;
                    }
                    """),
                ("Payments.cs", """
                    // <auto-generated/>
                    public partial class Payments
                    {
                        [Retry]
                        public partial Task ChargeAsync(CancellationToken ct);
                        private Task ChargeAsyncCore(CancellationToken ct) => Task.CompletedTask;
                    }
                    """),
            });

    [Fact]
    public Task A_core_that_patches_json_is_reported()
        => V.AnalyzerAsync(
            """
            using System.Net.Http.Json;

            public partial class Profiles(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial Task RenameAsync(string name, CancellationToken ct);
                private Task RenameAsyncCore(string name, CancellationToken ct)
                    => {|#1:http.PatchAsJsonAsync("profile", name, ct)|};
            }
            """,
            ByHttp("RenameAsync", "PATCH", "HttpClientJsonExtensions.PatchAsJsonAsync"));

    [Fact]
    public Task A_request_sent_synchronously_with_its_method_in_an_initializer_is_reported()
        => V.AnalyzerAsync(
            """
            public partial class Jobs(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial HttpResponseMessage Run(string job);
                private HttpResponseMessage RunCore(string job)
                    => {|#1:http.Send(new HttpRequestMessage { Method = HttpMethod.Post, RequestUri = new Uri("https://example.test/" + job) })|};
            }
            """,
            ByHttp("Run", "POST", "HttpClient.Send"));

    [Fact]
    public Task A_local_that_may_hold_a_post_among_other_requests_is_reported()
        => V.AnalyzerAsync(
            """
            public partial class Jobs(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial Task RunAsync(string job, bool now, CancellationToken ct);
                private async Task RunAsyncCore(string job, bool now, CancellationToken ct)
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, "jobs/" + job);
                    request.Method = HttpMethod.Head;
                    if (now)
                    {
                        request = new HttpRequestMessage(HttpMethod.Put, "jobs/" + job);
                        request.Method = HttpMethod.Patch;
                    }

                    await {|#1:http.SendAsync(request, ct)|};
                }
            }
            """,
            ByHttp("RunAsync", "PATCH", "HttpClient.SendAsync"));

    [Theory]
    [InlineData("new Outbox().PostAsJsonAsync(\"jobs\", 1, ct)")]
    [InlineData("new Outbox().SendAsync(new HttpRequestMessage(HttpMethod.Post, \"jobs\"), ct)")]
    [InlineData("http.SendAsync(new HttpRequestMessage { Method = new Verb(\"POST\") }, ct)")]
    [InlineData("http.SendAsync(new HttpRequestMessage(HttpMethod.Get, \"jobs\") { Method = new Verb(\"POST\") }, ct)")]
    [InlineData("http.SendAsync(new HttpRequestMessage(Verb.Parse(\"POST\"), \"jobs\"), ct)")]
    public Task Methods_of_other_types_and_verbs_it_cannot_read_are_not_reported(string call)
        => V.AnalyzerAsync(
            $$"""
            using System.Net.Http.Json;

            public partial class Jobs(HttpClient http)
            {
                [Retry]
                public partial Task RunAsync(CancellationToken ct);
                private Task RunAsyncCore(CancellationToken ct) => {{call}};
            }

            public sealed class Outbox
            {
                public Task PostAsJsonAsync(string topic, int value, CancellationToken ct) => Task.CompletedTask;
                public Task SendAsync(HttpRequestMessage message, CancellationToken ct) => Task.CompletedTask;
            }

            public sealed record Verb(string Name)
            {
                public static implicit operator HttpMethod(Verb verb) => new(verb.Name);
                public static HttpMethod Parse(string name) => new(name);
            }
            """);

    [Fact]
    public Task Every_retried_method_of_a_type_is_judged_on_its_own_core()
        => V.AnalyzerAsync(
            """
            public partial class Jobs(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial Task RunAsync(CancellationToken ct);
                private Task RunAsyncCore(CancellationToken ct) => {|#1:http.PostAsync("jobs", null, ct)|};

                [Retry]
                public partial Task ListAsync(CancellationToken ct);
                private Task ListAsyncCore(CancellationToken ct) => http.PostAsync("jobs/search", null, ct);

                [Retry]
                public partial Task RefreshAsync(CancellationToken ct);
                private Task RefreshAsyncCore(CancellationToken ct) => http.GetAsync("jobs", ct);

                [{|#2:Retry|}]
                public partial Task RestartAsync(CancellationToken ct);
                private Task RestartAsyncCore(CancellationToken ct) => {|#3:http.PatchAsync("jobs", null, ct)|};
            }
            """,
            ByHttp("RunAsync", "POST", "HttpClient.PostAsync"),
            V.Diagnostic(DiagnosticDescriptors.NonIdempotentRetry).WithLocation(2).WithLocation(3).WithArguments("RestartAsync", "'RestartAsyncCore' sends an HTTP PATCH (HttpClient.PatchAsync)", "retried", "[Retry]"));

    [Theory]
    [InlineData("HttpMethod.Parse(\"post\")", "POST")]
    [InlineData("HttpMethod.Parse(\" PATCH \")", "PATCH")]
    public Task A_method_parsed_from_text_is_read_on_NET_9(string method, string verb)
        => V.AnalyzerOnNet90Async(
            $$"""
            public partial class Jobs(HttpClient http)
            {
                [{|#0:Retry|}]
                public partial Task RunAsync(CancellationToken ct);
                private Task RunAsyncCore(CancellationToken ct)
                    => {|#1:http.SendAsync(new HttpRequestMessage({{method}}, "jobs"), ct)|};
            }
            """,
            ByHttp("RunAsync", verb, "HttpClient.SendAsync"));

    [Fact]
    public Task A_method_parsed_from_text_that_is_not_constant_is_not_reported()
        => V.AnalyzerOnNet90Async(
            """
            public partial class Jobs(HttpClient http)
            {
                [Retry]
                public partial Task RunAsync(string verb, CancellationToken ct);
                private Task RunAsyncCore(string verb, CancellationToken ct)
                    => http.SendAsync(new HttpRequestMessage(HttpMethod.Parse(verb), "jobs"), ct);
            }
            """);
}
