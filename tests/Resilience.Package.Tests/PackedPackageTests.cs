using System.IO.Compression;

namespace Resilience.Package.Tests;

/// <summary>
/// Packs Resilience.Generators, Resilience.Generators.Hosting, Resilience.Generators.AspNetCore and
/// Resilience.Generators.Redis, then builds and runs fresh projects that reference them by version from a local folder
/// feed: the packages alone must bring the runtime, the generator, the hosting, ASP.NET Core and Redis integrations.
/// </summary>
public sealed class PackedPackageTests(PackedPackage package) : IClassFixture<PackedPackage>
{
    private const string Version = PackedPackage.Version;

    private readonly string _work = package.WorkDirectory;

    [Fact]
    public void The_packed_package_generates_and_runs_in_a_fresh_consumer()
    {
        string feed = package.Feed;
        string consumer = WriteConsumer(feed);
        // A cache of its own, so that a package of the same version cached by an earlier run is never used.
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_work, "packages") };

        (int buildExit, string build) = DotNet.Run(consumer, environment, "build", "-c", "Release");
        Assert.True(buildExit == 0, "The consumer did not build:\n" + build);
        // The analyzers came with the package: the deliberate retry on CreateOrder is reported, with its link.
        Assert.Contains("warning RES0100: 'CreateOrder' is retried", build);
        Assert.Contains("docs/diagnostics/RES0100.md", build);

        (int runExit, string run) = DotNet.Run(consumer, environment, "run", "-c", "Release", "--no-build");
        Assert.True(runExit == 0, "The consumer failed:\n" + run);
        Assert.Contains("threshold from configuration: 7", run);
        Assert.Contains("health: Healthy", run);
        Assert.Contains("receipt r-1 after 3 calls", run);
        Assert.Contains("rejected: BrokenCircuitException", run);
        Assert.Contains("fallback: cached r-2", run);
        Assert.Contains("ref struct: 3", run);
        // HandleResult, DelayGenerator and a fallback taking Outcome<T>, from the packed generator and runtime.
        Assert.Contains("result judged: 42 after 3 calls, waits 1/2", run);
        Assert.Contains("outcome fallback: 993", run);
    }

    [Fact]
    public void The_package_holds_the_runtime_per_framework_and_the_generator_as_an_analyzer()
    {
        string feed = package.Feed;
        using ZipArchive archive = ZipFile.OpenRead(Path.Combine(feed, $"Resilience.Generators.{Version}.nupkg"));
        string[] files = archive.Entries.Select(e => e.FullName).Where(n => !n.StartsWith("_rels/") && !n.StartsWith("package/") && n != "[Content_Types].xml").Order(StringComparer.Ordinal).ToArray();

        Assert.Contains("analyzers/dotnet/cs/Resilience.Generators.dll", files);
        Assert.Contains("analyzers/dotnet/cs/Resilience.Analyzers.dll", files);
        Assert.Contains("analyzers/dotnet/cs/Resilience.CodeFixes.dll", files);
        Assert.Contains("lib/netstandard2.0/Resilience.dll", files);
        Assert.Contains("lib/netstandard2.0/Resilience.xml", files);
        Assert.Contains("lib/net8.0/Resilience.dll", files);
        Assert.Contains("lib/net8.0/Resilience.xml", files);
        Assert.Contains("README.md", files);
        Assert.DoesNotContain(files, f => f.Contains("Tests", StringComparison.Ordinal) || f.Contains("Samples", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.StartsWith("lib/", StringComparison.Ordinal) && f.Contains("Generators", StringComparison.Ordinal));

        using var nuspec = new StreamReader(archive.GetEntry("Resilience.Generators.nuspec")!.Open());
        string metadata = nuspec.ReadToEnd();
        Assert.Contains("<license type=\"expression\">MIT</license>", metadata);
        Assert.Contains("<readme>README.md</readme>", metadata);
        Assert.Contains("<dependency id=\"Microsoft.Bcl.TimeProvider\"", metadata);
        Assert.Contains("<group targetFramework=\"net8.0\" />", metadata);
        Assert.True(File.Exists(Path.Combine(feed, $"Resilience.Generators.{Version}.snupkg")), "No symbols package was produced.");
    }

    [Fact]
    public void The_hosting_package_holds_its_library_per_framework_and_depends_on_the_main_package()
    {
        using ZipArchive archive = ZipFile.OpenRead(Path.Combine(package.Feed, $"Resilience.Generators.Hosting.{Version}.nupkg"));
        string[] files = archive.Entries.Select(e => e.FullName).ToArray();

        Assert.Contains("lib/netstandard2.0/Resilience.Hosting.dll", files);
        Assert.Contains("lib/net8.0/Resilience.Hosting.dll", files);
        Assert.Contains("lib/net8.0/Resilience.Hosting.xml", files);
        Assert.DoesNotContain(files, f => f.EndsWith("/Resilience.dll", StringComparison.Ordinal) || f.StartsWith("analyzers/", StringComparison.Ordinal));

        using var nuspec = new StreamReader(archive.GetEntry("Resilience.Generators.Hosting.nuspec")!.Open());
        string metadata = nuspec.ReadToEnd();
        Assert.Contains($"<dependency id=\"Resilience.Generators\" version=\"{Version}\"", metadata);
        Assert.Contains("<dependency id=\"Microsoft.Extensions.Diagnostics.HealthChecks\"", metadata);
        Assert.Contains("<readme>README.md</readme>", metadata);
    }

    [Fact]
    public void The_redis_package_holds_its_library_per_framework_and_depends_on_the_main_package_and_StackExchange_Redis()
    {
        using ZipArchive archive = ZipFile.OpenRead(Path.Combine(package.Feed, $"Resilience.Generators.Redis.{Version}.nupkg"));
        string[] files = archive.Entries.Select(e => e.FullName).ToArray();

        Assert.Contains("lib/netstandard2.0/Resilience.Redis.dll", files);
        Assert.Contains("lib/net8.0/Resilience.Redis.dll", files);
        Assert.Contains("lib/net8.0/Resilience.Redis.xml", files);
        Assert.DoesNotContain(files, f => f.EndsWith("/Resilience.dll", StringComparison.Ordinal) || f.StartsWith("analyzers/", StringComparison.Ordinal));

        using var nuspec = new StreamReader(archive.GetEntry("Resilience.Generators.Redis.nuspec")!.Open());
        string metadata = nuspec.ReadToEnd();
        Assert.Contains($"<dependency id=\"Resilience.Generators\" version=\"{Version}\"", metadata);
        Assert.Contains("<dependency id=\"StackExchange.Redis\"", metadata);
        Assert.Contains("<readme>README.md</readme>", metadata);
    }

    [Fact]
    public void The_aspnetcore_package_holds_its_library_and_depends_on_the_main_package_and_the_shared_framework()
    {
        using ZipArchive archive = ZipFile.OpenRead(Path.Combine(package.Feed, $"Resilience.Generators.AspNetCore.{Version}.nupkg"));
        string[] files = archive.Entries.Select(e => e.FullName).ToArray();

        Assert.Contains("lib/net8.0/Resilience.AspNetCore.dll", files);
        Assert.Contains("lib/net8.0/Resilience.AspNetCore.xml", files);
        Assert.Contains("README.md", files);
        Assert.DoesNotContain(files, f => f.EndsWith("/Resilience.dll", StringComparison.Ordinal) || f.StartsWith("analyzers/", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.Contains("Tests", StringComparison.Ordinal) || f.Contains("Samples", StringComparison.Ordinal));

        using var nuspec = new StreamReader(archive.GetEntry("Resilience.Generators.AspNetCore.nuspec")!.Open());
        string metadata = nuspec.ReadToEnd();
        Assert.Contains($"<dependency id=\"Resilience.Generators\" version=\"{Version}\"", metadata);
        Assert.Contains("<frameworkReference name=\"Microsoft.AspNetCore.App\" />", metadata);
        Assert.Contains("<readme>README.md</readme>", metadata);
        Assert.Contains("<license type=\"expression\">MIT</license>", metadata);
        Assert.True(File.Exists(Path.Combine(package.Feed, $"Resilience.Generators.AspNetCore.{Version}.snupkg")), "No symbols package was produced.");
    }

    [Fact]
    public void The_aspnetcore_package_answers_rejections_and_a_resilient_client_handler_retries_in_a_fresh_web_application()
    {
        string run = BuildAndRun(WriteWebConsumer(package.Feed), "web consumer");
        Assert.Contains("first: 200 success", run);
        Assert.Contains("second: 429 application/problem+json rejected limit=1 remaining=0", run);
        Assert.Contains("retry-after: True", run);
        Assert.Contains("caller: ip:127.0.0.1", run);
        // The Hosting package's AddResilientHandler put the generated handler on the client: the 503 was retried.
        Assert.Contains("handler: 200 up after 2 requests", run);
    }

    [Fact]
    public void The_redis_package_shares_a_limit_and_a_breaker_between_two_instances_in_a_fresh_consumer()
    {
        string run = BuildAndRun(WriteRedisConsumer(package.Feed), "Redis consumer");
        Assert.Contains("admitted: 2 here, 1 there", run);
        Assert.Contains("rejected: RateLimitRejectedException remaining=0", run);
        Assert.Contains("breaker there: Open", run);
        Assert.Contains("store: Redis 127.0.0.1:", run);
        // Results that outlive a call, from the packed packages: an idempotency key answered on the other instance
        // without running, a failure answered with the last good result, a job's checkpoint read by the other instance.
        Assert.Contains("order here: o-1 #1", run);
        Assert.Contains("order there: o-1 #1, runs there: 0", run);
        Assert.Contains("price while down: 42", run);
        Assert.Contains("checkpoint there: #2 transcribe 50%", run);
    }

    /// <summary>Builds and runs a consumer in Release, with a package cache of its own; returns what it printed.</summary>
    private string BuildAndRun(string consumer, string what)
    {
        // A cache of its own, so that a package of the same version cached by an earlier run is never used.
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_work, "packages") };
        (int buildExit, string build) = DotNet.Run(consumer, environment, "build", "-c", "Release");
        Assert.True(buildExit == 0, $"The {what} did not build:\n" + build);

        (int runExit, string run) = DotNet.Run(consumer, environment, "run", "-c", "Release", "--no-build");
        Assert.True(runExit == 0, $"The {what} failed:\n" + run);
        return run;
    }

    /// <summary>
    /// A console application on the Redis package and an embedded Garnet server, which runs itself a second time as the
    /// other instance.
    /// </summary>
    private string WriteRedisConsumer(string feed)
    {
        string directory = Path.Combine(_work, "redis-consumer");
        Directory.CreateDirectory(directory);
        WriteNuGetConfig(directory, feed);
        File.WriteAllText(Path.Combine(directory, "RedisConsumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Resilience.Generators" Version="{Version}" />
                <PackageReference Include="Resilience.Generators.Redis" Version="{Version}" />
                <PackageReference Include="Microsoft.Garnet" Version="2.2.8" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using System.Diagnostics;
            using System.Net;
            using System.Net.Sockets;
            using Garnet;
            using Resilience;
            using Resilience.Redis;
            using StackExchange.Redis;

            var options = new RedisResilienceOptions { KeyPrefix = "consumer", OperationTimeout = TimeSpan.FromSeconds(5) };
            var quotes = new Quotes();
            if (args.Length == 2)
            {
                // The second instance: a process of its own on the first one's server.
                await using ConnectionMultiplexer there = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:" + args[1]);
                ResilienceRegistry.Default.UseRedis(there, options);
                if (args[0] == "limit")
                {
                    await quotes.GetAsync("there");
                    Console.WriteLine("admitted there");
                }
                else if (args[0] == "order")
                {
                    Receipt receipt = await quotes.PlaceOrderAsync("o-1");
                    Console.WriteLine($"order there: {receipt.Id} #{receipt.Run}, runs there: {quotes.Runs}");
                }
                else if (args[0] == "checkpoint")
                {
                    var checkpoints = new RedisCheckpointStore(there, redisOptions: options);
                    Checkpoint<int>? latest = await checkpoints.GetLatestAsync<int>("job-1");
                    Console.WriteLine($"checkpoint there: #{latest?.Sequence} {latest?.Stage} {latest?.Progress:P0}".Replace(" %", "%"));
                }
                else
                {
                    // The breaker is registered when the type loads; the store tells it what the key holds.
                    CircuitBreakerState breaker = ResilienceRegistry.Default.CircuitBreaker("payments");
                    for (int i = 0; i < 400 && breaker.State != CircuitState.Open; i++)
                    {
                        await Task.Delay(25);
                    }

                    Console.WriteLine("breaker there: " + breaker.State);
                }

                return;
            }

            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            using var server = new GarnetServer(["--port", port.ToString(), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode", "--memory", "64m", "--index", "1m", "--logger-level", "None"]);
            server.Start();
            await using ConnectionMultiplexer here = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:" + port);
            RedisResilienceStore store = ResilienceRegistry.Default.UseRedis(here, options);
            Console.WriteLine("store: " + store.Description);

            await quotes.GetAsync("a");
            await quotes.GetAsync("b");
            string second = await RunSecondInstanceAsync("limit");
            Console.WriteLine($"admitted: 2 here, {(second.Contains("admitted there") ? 1 : 0)} there");
            try
            {
                await quotes.GetAsync("c");
            }
            catch (RateLimitRejectedException e)
            {
                Console.WriteLine($"rejected: {e.GetType().Name} remaining={e.Info?.Remaining}");
            }

            try
            {
                await quotes.ChargeAsync();
            }
            catch (InvalidOperationException)
            {
                // The provider is down: the breaker opens here, and on every instance.
            }

            Console.Write(await RunSecondInstanceAsync("breaker"));

            Receipt order = await quotes.PlaceOrderAsync("o-1");
            Console.WriteLine($"order here: {order.Id} #{order.Run}");
            Console.Write(await RunSecondInstanceAsync("order"));

            await quotes.PriceAsync("sku-1");
            quotes.PricesDown = true;
            Console.WriteLine($"price while down: {await quotes.PriceAsync("sku-1")}");

            var store2 = new RedisCheckpointStore(here, redisOptions: options);
            await store2.SaveAsync("job-1", "download", 0.25, 1);
            await store2.SaveAsync("job-1", "transcribe", 0.5, 2, force: true);
            Console.Write(await RunSecondInstanceAsync("checkpoint"));

            async Task<string> RunSecondInstanceAsync(string part)
            {
                var start = new ProcessStartInfo(Environment.ProcessPath!, [part, port.ToString()]) { RedirectStandardOutput = true };
                using Process child = Process.Start(start)!;
                string output = await child.StandardOutput.ReadToEndAsync();
                await child.WaitForExitAsync();
                return output;
            }

            public sealed partial class Quotes
            {
                [RateLimit(3, 60_000, Algorithm = RateLimitAlgorithm.SlidingWindow, Distributed = true, Name = "quotes")]
                public partial Task<string> GetAsync(string symbol, CancellationToken cancellationToken = default);

                private Task<string> GetAsyncCore(string symbol, CancellationToken cancellationToken) => Task.FromResult(symbol);

                [CircuitBreaker(1, BreakDurationMs = 60_000, Distributed = true, Name = "payments")]
                public partial Task ChargeAsync(CancellationToken cancellationToken = default);

                private Task ChargeAsyncCore(CancellationToken cancellationToken) => throw new InvalidOperationException("the provider is down");

                private int _runs;

                public int Runs => _runs;

                public bool PricesDown { get; set; }

                [Idempotent]
                public partial Task<Receipt> PlaceOrderAsync([IdempotencyKey] string orderId, CancellationToken cancellationToken = default);

                private Task<Receipt> PlaceOrderAsyncCore(string orderId, CancellationToken cancellationToken)
                    => Task.FromResult(new Receipt(orderId, Interlocked.Increment(ref _runs)));

                [CachedFallback(300_000)]
                public partial Task<int> PriceAsync(string sku, CancellationToken cancellationToken = default);

                private Task<int> PriceAsyncCore(string sku, CancellationToken cancellationToken)
                    => PricesDown ? throw new HttpRequestException("prices are down") : Task.FromResult(42);
            }

            public sealed record Receipt(string Id, int Run);
            """);
        return directory;
    }

    private string WriteWebConsumer(string feed)
    {
        string directory = Path.Combine(_work, "web-consumer");
        Directory.CreateDirectory(directory);
        WriteNuGetConfig(directory, feed);
        File.WriteAllText(Path.Combine(directory, "WebConsumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Resilience.Generators" Version="{Version}" />
                <PackageReference Include="Resilience.Generators.AspNetCore" Version="{Version}" />
                <PackageReference Include="Resilience.Generators.Hosting" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using System.Net;
            using Microsoft.AspNetCore.Hosting.Server;
            using Microsoft.AspNetCore.Hosting.Server.Features;
            using Resilience;

            var builder = WebApplication.CreateSlimBuilder(args);
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            builder.Services.AddResilienceProblemDetails();
            builder.Services.AddSingleton<Quotes>();
            builder.Services.AddHttpClient("self").AddResilientHandler<SelfHandler>();

            var app = builder.Build();
            app.UseExceptionHandler();
            var api = app.MapGroup("/api").WithResilienceHeaders();
            api.MapGet("/quote", (HttpContext http, Quotes quotes) => quotes.GetAsync(http.GetCallerKey()));
            api.MapGet("/caller", (HttpContext http) => http.GetCallerKey());
            int flakyCalls = 0;
            app.MapGet("/flaky", () => Interlocked.Increment(ref flakyCalls) == 1 ? Results.StatusCode(503) : Results.Text("up"));

            await app.StartAsync();
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var client = new HttpClient { BaseAddress = new Uri(address) };

            using HttpResponseMessage first = await client.GetAsync("/api/quote");
            Console.WriteLine($"first: {(int)first.StatusCode} {Header(first, "X-Resilience-Status")}");
            using HttpResponseMessage second = await client.GetAsync("/api/quote");
            Console.WriteLine($"second: {(int)second.StatusCode} {second.Content.Headers.ContentType?.MediaType} {Header(second, "X-Resilience-Status")} limit={Header(second, "RateLimit-Limit")} remaining={Header(second, "RateLimit-Remaining")}");
            Console.WriteLine($"retry-after: {second.Headers.RetryAfter?.Delta > TimeSpan.Zero}");
            Console.WriteLine("caller: " + await client.GetStringAsync("/api/caller"));

            HttpClient resilient = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("self");
            using HttpResponseMessage flaky = await resilient.GetAsync(new Uri(new Uri(address), "/flaky"));
            Console.WriteLine($"handler: {(int)flaky.StatusCode} {await flaky.Content.ReadAsStringAsync()} after {flakyCalls} requests");
            await app.StopAsync();

            static string Header(HttpResponseMessage response, string name)
                => response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "(none)";

            public sealed partial class Quotes
            {
                [RateLimit(1, 60_000, Algorithm = RateLimitAlgorithm.FixedWindow, Name = "quotes")]
                public partial Task<string> GetAsync([RateLimitKey] string caller, CancellationToken cancellationToken = default);

                private Task<string> GetAsyncCore(string caller, CancellationToken cancellationToken) => Task.FromResult("a quote for " + caller);
            }

            public sealed partial class SelfHandler : DelegatingHandler
            {
                [Retry(3, DelayMs = 10)]
                [CircuitBreaker(5, Name = "self", HonorRetryAfter = true)]
                [Timeout(10_000, Scope = TimeoutScope.Total)]
                protected override partial Task<HttpResponseMessage> SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);

                private Task<HttpResponseMessage> SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken)
                    => base.SendAsync(request, cancellationToken);
            }
            """);
        return directory;
    }

    private static void WriteNuGetConfig(string directory, string feed)
        => File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);

    private string WriteConsumer(string feed)
    {
        string directory = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(directory);
        WriteNuGetConfig(directory, feed);
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Resilience.Generators" Version="{Version}" />
                <PackageReference Include="Resilience.Generators.Hosting" Version="{Version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using Microsoft.Extensions.Configuration;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Diagnostics.HealthChecks;
            using Microsoft.Extensions.Hosting;
            using Resilience;

            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Resilience:receipts:FailureThreshold"] = "7" });
            builder.Services.AddResilience(builder.Configuration.GetSection("Resilience"));
            builder.Services.AddHealthChecks().AddResilienceHealthChecks(o => o.CriticalBreakers.Add("receipts"));
            using (IHost host = builder.Build())
            {
                await host.StartAsync();
                Console.WriteLine("threshold from configuration: " + ResilienceRegistry.Default.CircuitBreaker("receipts").Options.FailureThreshold);
                HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
                Console.WriteLine("health: " + report.Status);
                await host.StopAsync();
            }

            var client = new ReceiptsClient();
            Console.WriteLine(await client.GetReceiptAsync("r-1"));

            ResilienceRegistry.Default.CircuitBreaker("receipts").Isolate();
            try
            {
                await client.GetReceiptAsync("r-1");
            }
            catch (BrokenCircuitException e)
            {
                Console.WriteLine("rejected: " + e.GetType().Name);
            }

            Console.WriteLine("fallback: " + client.GetCached("r-2"));
            Console.WriteLine("ref struct: " + Spans.Length<ReadOnlySpan<char>>("abc".AsSpan()));
            var quotes = new QuotesClient();
            Console.WriteLine($"result judged: {quotes.GetQuote()} after {quotes.Calls} calls, waits {string.Join("/", quotes.Waits)}");
            Console.WriteLine("outcome fallback: " + quotes.GetOrZero());

            // A shape of the latest language (C# 13), which only the SDK's own compiler builds.
            public static partial class Spans
            {
                [Retry(2, DelayMs = 1)]
                public static partial int Length<T>(T value) where T : allows ref struct;

                private static int LengthCore<T>(T value) where T : allows ref struct => value is null ? 0 : 3;
            }

            // Results as failures: a negative quote is retried after the delay its generator gives, then answered by a
            // fallback that sees the failed result.
            public partial class QuotesClient
            {
                public int Calls;
                public List<int> Waits = new();

                [Retry(3, DelayMs = 1, HandleResult = nameof(IsNegative), DelayGenerator = nameof(Wait))]
                public partial int GetQuote();

                private int GetQuoteCore() => ++Calls < 3 ? -Calls : 42;

                [Retry(2, DelayMs = 1, HandleResult = nameof(IsNegative))]
                [Fallback(nameof(Zero), HandleResult = nameof(IsNegative))]
                public partial int GetOrZero();

                private int GetOrZeroCore() => -7;

                private static bool IsNegative(int quote) => quote < 0;

                private TimeSpan? Wait(Outcome<int> outcome, int attempt)
                {
                    Waits.Add(attempt);
                    return TimeSpan.FromMilliseconds(-outcome.Result);
                }

                private int Zero(Outcome<int> outcome) => outcome.IsException ? -1 : 1000 + outcome.Result;
            }

            public partial class ReceiptsClient
            {
                private int _calls;

                [Retry(3, DelayMs = 1, Jitter = false)]
                [CircuitBreaker(5, Name = "receipts")]
                [Timeout(5_000)]
                [Idempotent]
                public partial Task<string> GetReceiptAsync(string id, CancellationToken ct = default);

                private Task<string> GetReceiptAsyncCore(string id, CancellationToken ct)
                    => ++_calls < 3 ? throw new HttpRequestException("503") : Task.FromResult($"receipt {id} after {_calls} calls");

                [CircuitBreaker(1, Name = "cache-demo")]
                [Fallback(nameof(Cached))]
                public partial string GetCached(string id);

                private string GetCachedCore(string id) => throw new InvalidOperationException("down");

                private string Cached(string id) => "cached " + id;

                // Deliberate: a retried operation whose name says it creates something (RES0100).
                [Retry(2, DelayMs = 1)]
                public partial int CreateOrder(int id);

                private int CreateOrderCore(int id) => id;
            }
            """);
        return directory;
    }
}
