using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using FinTech.Portal.Platform;
using Npgsql;

namespace FinTech.Portal.WriteProbe;

/// <summary>One small write to one target, the way the platform's API writes to it.</summary>
public interface IProbeWriter
{
    WriteProbeTarget Target { get; }

    Task WriteAsync(CancellationToken cancellationToken);
}

/// <summary>
/// An upsert through the Aurora cluster endpoint into the canary's own table (which it creates on first use: a
/// single statement, idempotent, so there is no migration history to share with the portal). After a failover the
/// pooled connections to the old writer fail; Npgsql drops them and the next write opens one to the new writer.
/// </summary>
public sealed class AuroraProbeWriter(NpgsqlDataSource dataSource, string instance) : IProbeWriter, IAsyncDisposable
{
    public const string Table = "write_probe_canary";
    private bool _tableExists;

    public WriteProbeTarget Target => WriteProbeTarget.AuroraWriter;

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!_tableExists)
        {
            await using var create = new NpgsqlCommand(
                $"CREATE TABLE IF NOT EXISTS {Table} (instance text PRIMARY KEY, writes bigint NOT NULL, written_at timestamptz NOT NULL)", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            _tableExists = true;
        }
        await using var upsert = new NpgsqlCommand(
            $"INSERT INTO {Table} (instance, writes, written_at) VALUES ($1, 1, now()) " +
            $"ON CONFLICT (instance) DO UPDATE SET writes = {Table}.writes + 1, written_at = now()", connection);
        upsert.Parameters.Add(new NpgsqlParameter { Value = instance });
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}

/// <summary>
/// A <c>SET</c> on the Redis primary endpoint over one kept connection (TLS and <c>AUTH</c> as ElastiCache requires),
/// spoken in RESP directly: the canary needs three commands, not a client library. Any error or timeout drops the
/// connection, so the next write reconnects and resolves the primary endpoint again (it moves on a failover).
/// </summary>
public sealed class RedisProbeWriter(string host, int port, string? password, bool tls, string instance) : IProbeWriter, IAsyncDisposable
{
    private Stream? _stream;
    private TcpClient? _tcp;

    public WriteProbeTarget Target => WriteProbeTarget.RedisPrimary;

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            var stream = _stream ??= await ConnectAsync(cancellationToken);
            var value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            await CommandAsync(stream, ["SET", $"write-probe:{instance}", value, "PX", "60000"], cancellationToken);
        }
        catch
        {
            await DisconnectAsync();
            throw;
        }
    }

    private async Task<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        _tcp = new TcpClient { NoDelay = true };
        await _tcp.ConnectAsync(host, port, cancellationToken);
        Stream stream = _tcp.GetStream();
        if (tls)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, cancellationToken);
            stream = ssl;
        }
        if (!string.IsNullOrEmpty(password))
        {
            await CommandAsync(stream, ["AUTH", password], cancellationToken);
        }
        return stream;
    }

    /// <summary>Sends one command as a RESP array of bulk strings and reads its reply; an error reply throws.</summary>
    internal static async Task<string> CommandAsync(Stream stream, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{arguments.Count}\r\n");
        foreach (var argument in arguments)
        {
            request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken);
        await stream.FlushAsync(cancellationToken);
        var reply = await ReadLineAsync(stream, cancellationToken);
        return reply switch
        {
            ['+', ..] => reply[1..],
            ['-', ..] => throw new IOException($"Redis refused {arguments[0]}: {reply[1..]}"),
            _ => throw new IOException($"Redis answered {arguments[0]} with an unexpected reply '{reply}'."),
        };
    }

    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("Redis closed the connection.");
            }
            if (one[0] == '\n' && line.Count > 0 && line[^1] == '\r')
            {
                return Encoding.UTF8.GetString([.. line.Take(line.Count - 1)]);
            }
            line.Add(one[0]);
        }
    }

    private async ValueTask DisconnectAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }
        _tcp?.Dispose();
        (_stream, _tcp) = (null, null);
    }

    public ValueTask DisposeAsync() => DisconnectAsync();
}
