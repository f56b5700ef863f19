using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>
/// The connection strings docs/distributed.md gives, against a real redis-server that asks for them: a password, an ACL
/// user limited to the documented commands and the application's prefix, and TLS. A wrong password is not an exception
/// for callers: the policies decide locally.
/// </summary>
public sealed class SecuredConnectionTests
{
    private const string AdminPassword = "admin-s3cret";

    [SkippableFact]
    public async Task An_acl_user_with_the_documented_permissions_shares_limits_and_breakers()
    {
        await using SecuredServer server = await SecuredServer.StartAsync("--requirepass", AdminPassword);
        using (ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync($"{server.Endpoint},password={AdminPassword}"))
        {
            // The command of docs/distributed.md, word for word.
            await admin.GetDatabase().ExecuteAsync(
                "ACL", "SETUSER", "orders-api", "on", ">s3cret", "~orders-api:*", "&orders-api:*", "+evalsha", "+eval", "+script|load", "+time", "+get", "+set",
                "+del", "+pttl", "+zadd", "+zcard", "+zrange", "+zremrangebyscore", "+pexpire", "+publish", "+subscribe",
                "+ping", "+echo", "+info", "+client|setname", "+client|id", "+cluster|nodes", "+config|get");
        }

        string user = $"{server.Endpoint},user=orders-api,password=s3cret,abortConnect=false";
        await using ConnectionMultiplexer first = await ConnectionMultiplexer.ConnectAsync(user);
        await using ConnectionMultiplexer second = await ConnectionMultiplexer.ConnectAsync(user);
        var options = new RedisResilienceOptions { KeyPrefix = "orders-api", OperationTimeout = TimeSpan.FromSeconds(5), IdempotencyClaimTimeout = TimeSpan.FromMilliseconds(600) };
        var one = new ResilienceRegistry();
        var two = new ResilienceRegistry();
        RedisResilienceStore store = one.UseRedis(first, options);
        two.UseRedis(second, options);

        var limit = new RateLimitOptions { Permits = 2, WindowMs = 60_000, Algorithm = RateLimitAlgorithm.SlidingWindow, Distributed = true };
        Assert.True(await one.GetOrAddRateLimiter("quota", limit).AcquireAsync(CancellationToken.None));
        Assert.True(await two.GetOrAddRateLimiter("quota", limit).AcquireAsync(CancellationToken.None));
        Assert.False(await one.GetOrAddRateLimiter("quota", limit).AcquireAsync(CancellationToken.None));
        Assert.Equal(0, store.FailureCount);

        var breaker = new CircuitBreakerOptions { BreakDurationMs = 60_000, Distributed = true };
        CircuitBreakerState watching = two.GetOrAddCircuitBreaker("payments", breaker);
        one.GetOrAddCircuitBreaker("payments", breaker).Isolate();
        await Eventually(() => watching.State == CircuitState.Isolated);

        // Idempotency keys: a claim, its renewal, its renewal once it expired (taken again), the result seen by the other.
        var charging = (RedisIdempotencyStore)one.IdempotencyStore;
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await charging.TryClaimAsync("charge", "order-1", default)).Status);
        await Eventually(() => charging.RenewalCount >= 1);
        await using (ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync($"{server.Endpoint},password={AdminPassword}"))
        {
            Assert.True(await admin.GetDatabase().KeyDeleteAsync(new RedisKeys("orders-api").IdempotencyClaim(RedisKeys.Identity("charge", "order-1"))));
        }

        long renewed = charging.RenewalCount;
        await Eventually(() => charging.RenewalCount > renewed);
        await charging.SaveAsync("charge", "order-1", "\"receipt\""u8.ToArray(), TimeSpan.FromHours(1), default);
        Assert.Equal(IdempotencyClaimStatus.Stored, (await two.IdempotencyStore.TryClaimAsync("charge", "order-1", default)).Status);
        Assert.Equal(0, charging.LostClaimCount);
        Assert.Equal(0, store.FailureCount);
    }

    [SkippableFact]
    public async Task A_wrong_password_leaves_the_policies_deciding_locally_without_an_exception()
    {
        await using SecuredServer server = await SecuredServer.StartAsync("--requirepass", AdminPassword);
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync($"{server.Endpoint},password=wrong,abortConnect=false,connectTimeout=1000");
        var registry = new ResilienceRegistry();
        RedisResilienceStore store = registry.UseRedis(connection, new RedisResilienceOptions { KeyPrefix = "wrong" });

        RateLimiterState limiter = registry.GetOrAddRateLimiter("quota", new RateLimitOptions { Permits = 1, WindowMs = 60_000, Distributed = true });

        Assert.False(store.IsAvailable);
        Assert.True(await limiter.AcquireAsync(CancellationToken.None));
        Assert.False(await limiter.AcquireAsync(CancellationToken.None));
    }

    [SkippableFact]
    public async Task Tls_with_a_password_works_end_to_end()
    {
        using var certificate = SelfSignedCertificate();
        string directory = Directory.CreateTempSubdirectory("resilience-tls-").FullName;
        try
        {
            string certificateFile = Path.Combine(directory, "redis.crt");
            string keyFile = Path.Combine(directory, "redis.key");
            await File.WriteAllTextAsync(certificateFile, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyFile, certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());

            await using SecuredServer server = await SecuredServer.StartAsync(
                tls: true, "--requirepass", AdminPassword, "--tls-cert-file", certificateFile, "--tls-key-file", keyFile, "--tls-ca-cert-file", certificateFile, "--tls-auth-clients", "no");
            ConfigurationOptions configuration = ConfigurationOptions.Parse($"{server.Endpoint},ssl=true,sslHost=localhost,password={AdminPassword},abortConnect=false");
            configuration.CertificateValidation += (_, presented, _, errors) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
            await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(configuration);
            var registry = new ResilienceRegistry();
            RedisResilienceStore store = registry.UseRedis(connection, new RedisResilienceOptions { KeyPrefix = "tls", OperationTimeout = TimeSpan.FromSeconds(5) });

            RateLimiterState limiter = registry.GetOrAddRateLimiter("quota", new RateLimitOptions { Permits = 1, WindowMs = 60_000, Distributed = true });
            Assert.True(await limiter.AcquireAsync(CancellationToken.None));
            Assert.False(await limiter.AcquireAsync(CancellationToken.None));
            Assert.Equal(0, store.FailureCount);
            Assert.Equal(1, await connection.GetDatabase().KeyExistsAsync("tls:rl:tb:{quota}") ? 1 : 0);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "The condition did not hold within 10 s.");
            await Task.Delay(10);
        }
    }

    /// <summary>A redis-server of the test's own, started with the given security options, without persistence.</summary>
    private sealed class SecuredServer : IAsyncDisposable
    {
        private readonly Process _process;

        private SecuredServer(Process process, int port)
        {
            _process = process;
            Endpoint = "127.0.0.1:" + port;
        }

        public string Endpoint { get; }

        public static Task<SecuredServer> StartAsync(params string[] options) => StartAsync(tls: false, options);

        public static async Task<SecuredServer> StartAsync(bool tls, params string[] options)
        {
            string path = TestServer.RedisServerPath();
            int port = TestServer.FreeLoopbackPort();
            var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in new[] { "--port", tls ? "0" : port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            {
                start.ArgumentList.Add(argument);
            }

            if (tls)
            {
                start.ArgumentList.Add("--tls-port");
                start.ArgumentList.Add(port.ToString());
            }

            foreach (string option in options)
            {
                start.ArgumentList.Add(option);
            }

            Process process = Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start.");
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
            process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new SecuredServer(process, port);

            // Ready once it listens: a TCP connection is accepted (TLS and AUTH are the clients' business).
            var clock = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}:\n" + string.Join("\n", output));
                }

                try
                {
                    using var probe = new System.Net.Sockets.TcpClient();
                    await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                    return server;
                }
                catch (System.Net.Sockets.SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(50);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
