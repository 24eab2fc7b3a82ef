using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using FinTech.Portal.Aws;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Aws;
using FinTech.Portal.Tests.Database;
using FinTech.Portal.WriteProbe;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace FinTech.Portal.Tests.WriteProbe;

/// <summary>
/// The write-probe canary against the real parts it writes to here: the tests' throwaway PostgreSQL (as Aurora's
/// cluster endpoint), a loopback server speaking Redis's protocol (RESP, AUTH and SET as ElastiCache answers them), and
/// the AWS test endpoint, which checks PutMetricData's SigV4 signature and its body against CloudWatch's model.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WriteProbeCanaryTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Token = "redis-auth-token";
    private AwsTestHarness _aws = null!;
    private LoopbackRedis _redis = null!;
    private string _database = null!;

    public async Task InitializeAsync()
    {
        _aws = await AwsTestHarness.StartAsync(roleArn: null);
        _redis = LoopbackRedis.Start(Token);
        _database = await postgres.Server.CreateDatabaseAsync($"write_probe_{Guid.NewGuid():N}"[..24]);
    }

    public async Task DisposeAsync()
    {
        Assert.True(_aws.Endpoint.Rejections.IsEmpty, string.Join("\n", _aws.Endpoint.Rejections));
        _redis.Dispose();
        await _aws.DisposeAsync();
    }

    [Fact]
    public async Task Each_second_writes_to_PostgreSQL_and_Redis_and_publishes_three_one_second_metrics_per_target_zero_failures_included()
    {
        await using var canary = Canary();

        var first = await canary.Service.ProbeOnceAsync(CancellationToken.None);
        await canary.Service.ProbeOnceAsync(CancellationToken.None);

        Assert.All(first, r => Assert.True(r.Succeeded, $"{r.Target} failed"));
        Assert.Equal(2L, await ScalarAsync($"SELECT writes FROM {AuroraProbeWriter.Table} WHERE instance = 'canary-test'"));
        Assert.Equal(["AUTH redis-auth-token", "SET write-probe:canary-test", "SET write-probe:canary-test"], _redis.Commands);
        var put = _aws.Endpoint.CallsOf("PutMetricData");
        Assert.Equal(2, put.Count);
        var input = put[0].Input;
        Assert.Equal("FinTech/WriteProbe", (string?)input["Namespace"]);
        var data = input["MetricData"]!.AsArray().Select(d => d!.AsObject()).ToList();
        Assert.Equal(
            ["AuroraWriter ProbeWriteFailures 0 Count", "AuroraWriter ProbeWriteLatency Milliseconds", "AuroraWriter ProbeWrites 1 Count",
             "RedisPrimary ProbeWriteFailures 0 Count", "RedisPrimary ProbeWriteLatency Milliseconds", "RedisPrimary ProbeWrites 1 Count"],
            data.Select(Describe).Order(StringComparer.Ordinal));
        Assert.All(data, d => Assert.Equal(1L, (long)d["StorageResolution"]!));
        Assert.Single(data.Select(d => (string?)d["Timestamp"]).Distinct());
    }

    [Fact]
    public async Task A_refused_Redis_write_counts_as_one_failure_of_the_Redis_primary_and_the_next_second_reconnects()
    {
        await using var canary = Canary();
        _redis.RefuseNextSet("READONLY You can't write against a read only replica.");

        var failed = await canary.Service.ProbeOnceAsync(CancellationToken.None);
        var recovered = await canary.Service.ProbeOnceAsync(CancellationToken.None);

        Assert.Equal((true, false), (failed.Single(r => r.Target == WriteProbeTarget.AuroraWriter).Succeeded, failed.Single(r => r.Target == WriteProbeTarget.RedisPrimary).Succeeded));
        Assert.All(recovered, r => Assert.True(r.Succeeded, $"{r.Target} failed"));
        Assert.Equal(2, _redis.Connections);
        var failures = _aws.Endpoint.CallsOf("PutMetricData")[0].Input["MetricData"]!.AsArray()
            .Where(d => (string?)d!["MetricName"] == "ProbeWriteFailures")
            .ToDictionary(d => (string)d!["Dimensions"]![0]!["Value"]!, d => (double)d!["Value"]!);
        Assert.Equal(new Dictionary<string, double> { ["AuroraWriter"] = 0, ["RedisPrimary"] = 1 }, failures);
    }

    [Fact]
    public async Task An_unreachable_database_fails_its_write_within_the_timeout_and_the_second_is_still_published()
    {
        await using var canary = Canary("Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=1");

        var results = await canary.Service.ProbeOnceAsync(CancellationToken.None);

        Assert.False(results.Single(r => r.Target == WriteProbeTarget.AuroraWriter).Succeeded);
        Assert.True(results.Single(r => r.Target == WriteProbeTarget.RedisPrimary).Succeeded);
        Assert.Single(_aws.Endpoint.CallsOf("PutMetricData"));
    }

    [Fact]
    public async Task Each_published_second_is_recorded_in_the_heartbeat_the_container_health_check_reads()
    {
        using var folder = new TemporaryFolder();
        var heartbeat = Path.Combine(folder.Path, "write-probe.heartbeat");
        await using var canary = Canary(heartbeatFile: heartbeat);
        var before = DateTimeOffset.UtcNow;

        await canary.Service.ProbeOnceAsync(CancellationToken.None);

        var published = DateTimeOffset.Parse(await File.ReadAllTextAsync(heartbeat), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(published, before.AddTicks(-(before.Ticks % TimeSpan.TicksPerSecond)), DateTimeOffset.UtcNow);
        Assert.True(WriteProbeHealthCheck.Check(heartbeat, TimeSpan.FromSeconds(30), published.AddSeconds(30)).Healthy);
        Assert.False(WriteProbeHealthCheck.Check(heartbeat, TimeSpan.FromSeconds(30), published.AddSeconds(31)).Healthy);
        Assert.Equal(["write-probe.heartbeat"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_second_CloudWatch_refused_leaves_the_heartbeat_as_it_was()
    {
        using var folder = new TemporaryFolder();
        var heartbeat = Path.Combine(folder.Path, "write-probe.heartbeat");
        await using var canary = Canary(heartbeatFile: heartbeat);
        await canary.Service.ProbeOnceAsync(CancellationToken.None);
        var recorded = await File.ReadAllTextAsync(heartbeat);
        _aws.Endpoint.On("monitoring-2010-08-01", "PutMetricData", _ => throw new AwsTestError(HttpStatusCode.BadRequest, "InvalidParameterValue", "refused by the test"));

        await Assert.ThrowsAnyAsync<Exception>(() => canary.Service.ProbeOnceAsync(CancellationToken.None));

        Assert.Equal(recorded, await File.ReadAllTextAsync(heartbeat));
    }

    [Fact]
    public async Task The_running_canary_probes_once_per_tick_of_its_one_second_timer()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var writes = System.Threading.Channels.Channel.CreateUnbounded<DateTimeOffset>();
        var writer = new SignallingWriter(() => writes.Writer.TryWrite(clock.GetUtcNow()));
        using var canary = new WriteProbeCanary([writer], _aws.Client(AwsClients.CloudWatch),
            Options.Create(new WriteProbeCanaryOptions { Enabled = true }), clock, NullLogger<WriteProbeCanary>.Instance);
        await canary.StartAsync(CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(1));
        var first = await writes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = await writes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        await canary.StopAsync(CancellationToken.None);

        Assert.Equal((12, 0, 1), (first.Hour, first.Minute, first.Second));
        Assert.Equal(TimeSpan.FromSeconds(1), second - first);
        Assert.False(writes.Reader.TryRead(out _));
    }

    private sealed class SignallingWriter(Action written) : IProbeWriter
    {
        public WriteProbeTarget Target => WriteProbeTarget.AuroraWriter;

        public Task WriteAsync(CancellationToken cancellationToken)
        {
            written();
            return Task.CompletedTask;
        }
    }

    [Theory]
    [InlineData("AuroraConnectionString")]
    [InlineData("RedisHost")]
    [InlineData("Region")]
    public void An_enabled_canary_without_a_setting_stops_the_start_naming_its_key(string missing)
    {
        var options = new WriteProbeCanaryOptions { Enabled = true, AuroraConnectionString = "Host=x", RedisHost = "y", Region = "eu-west-1" };
        typeof(WriteProbeCanaryOptions).GetProperty(missing)!.SetValue(options, null);

        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true);

        Assert.Contains(errors, e => e.ErrorMessage!.StartsWith($"WriteProbe:{missing} is required", StringComparison.Ordinal));
        Assert.Empty(CanaryValidation(new WriteProbeCanaryOptions()));
    }

    private static List<ValidationResult> CanaryValidation(WriteProbeCanaryOptions options)
    {
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true);
        return errors;
    }

    private static string Describe(JsonObject datum)
    {
        var target = (string)datum["Dimensions"]![0]!["Value"]!;
        var name = (string)datum["MetricName"]!;
        return name == "ProbeWriteLatency" ? $"{target} {name} {(string)datum["Unit"]!}" : $"{target} {name} {(double)datum["Value"]!} {(string)datum["Unit"]!}";
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private CanaryUnderTest Canary(string? connectionString = null, string? heartbeatFile = null)
    {
        var aurora = new AuroraProbeWriter(NpgsqlDataSource.Create(connectionString ?? _database), "canary-test");
        var redis = new RedisProbeWriter("127.0.0.1", _redis.Port, Token, tls: false, "canary-test");
        var options = Options.Create(new WriteProbeCanaryOptions { Enabled = true, WriteTimeout = TimeSpan.FromSeconds(1), HeartbeatFile = heartbeatFile });
        var service = new WriteProbeCanary([aurora, redis], _aws.Client(AwsClients.CloudWatch), options, TimeProvider.System, NullLogger<WriteProbeCanary>.Instance);
        return new CanaryUnderTest(service, aurora, redis);
    }

    private sealed record CanaryUnderTest(WriteProbeCanary Service, AuroraProbeWriter Aurora, RedisProbeWriter Redis) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Service.Dispose();
            await Aurora.DisposeAsync();
            await Redis.DisposeAsync();
        }
    }

    /// <summary>
    /// A loopback server answering RESP as Redis does for what the canary sends: AUTH (with the token), SET (OK, or
    /// an error reply the test asks for, after which it closes the connection as a demoted primary's clients see).
    /// </summary>
    private sealed class LoopbackRedis : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<string> _commands = new();
        private readonly string _token;
        private string? _refusal;
        private int _connections;

        private LoopbackRedis(string token) => _token = token;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public IReadOnlyList<string> Commands => [.. _commands];
        public int Connections => Volatile.Read(ref _connections);

        public static LoopbackRedis Start(string token)
        {
            var server = new LoopbackRedis(token);
            server._listener.Start();
            _ = server.AcceptAsync();
            return server;
        }

        public void RefuseNextSet(string error) => Volatile.Write(ref _refusal, error);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    _ = ServeAsync(client);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.UTF8);
            var authenticated = false;
            try
            {
                while (await ReadCommandAsync(reader) is { } command)
                {
                    var summary = command[0] == "SET" ? $"SET {command[1]}" : string.Join(' ', command);
                    _commands.Enqueue(summary);
                    string reply;
                    var close = false;
                    if (command[0] == "AUTH")
                    {
                        authenticated = command.Count == 2 && command[1] == _token;
                        reply = authenticated ? "+OK" : "-WRONGPASS invalid username-password pair or user is disabled.";
                    }
                    else if (!authenticated)
                    {
                        reply = "-NOAUTH Authentication required.";
                    }
                    else if (Interlocked.Exchange(ref _refusal, null) is { } refusal)
                    {
                        reply = "-" + refusal;
                        close = true;
                    }
                    else
                    {
                        reply = command is ["SET", _, _, "PX", _] ? "+OK" : "-ERR unexpected command";
                    }
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\r\n"), _stop.Token);
                    if (close)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        /// <summary>One RESP array of bulk strings, or null when the client closed the connection.</summary>
        private async Task<List<string>?> ReadCommandAsync(StreamReader reader)
        {
            var header = await reader.ReadLineAsync(_stop.Token);
            if (header is null)
            {
                return null;
            }
            Assert.StartsWith("*", header, StringComparison.Ordinal);
            var arguments = new List<string>();
            for (var i = 0; i < int.Parse(header[1..], System.Globalization.CultureInfo.InvariantCulture); i++)
            {
                var length = await reader.ReadLineAsync(_stop.Token);
                Assert.StartsWith("$", length, StringComparison.Ordinal);
                arguments.Add((await reader.ReadLineAsync(_stop.Token))!);
            }
            return arguments;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
