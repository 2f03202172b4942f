using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Chat.Storage;

/// <summary>
/// LISTENs on a dedicated connection for the notifications the appenders of all nodes queue with each commit
/// ("&lt;instance&gt;:&lt;room&gt;:&lt;last id&gt;", see <see cref="PostgresAppender"/>), for the signals nodes relay to
/// each other, and for presence changes (<see cref="PostgresPresenceStore"/>), ignoring this node's own.
/// </summary>
public sealed class PostgresCommitFeed : ICommitFeed
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    // A quiet connection is checked this often, so a dead one is found and replaced.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(5);

    /// <summary>Channel of the payloads nodes publish to each other ("&lt;instance&gt;:&lt;room&gt;:&lt;payload&gt;").</summary>
    internal const string SignalChannel = "chat_signals";

    /// <summary>PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.</summary>
    internal const int MaxNotifyBytes = 7999;

    /// <summary>The LISTEN connection's application_name in pg_stat_activity.</summary>
    public const string ApplicationName = "chat-commit-feed";

    private readonly string _connectionString;
    private readonly string _ownPrefix;
    private readonly ILogger<PostgresCommitFeed> _logger;
    private readonly NpgsqlDataSource _publisher;

    public PostgresCommitFeed(string connectionString, StoreOptions options, ILogger<PostgresCommitFeed> logger)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = (int)KeepAlive.TotalSeconds, ApplicationName = ApplicationName };
        _connectionString = settings.ConnectionString;
        _ownPrefix = options.InstanceId + ":";
        _logger = logger;
        _publisher = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = 2,
            MinPoolSize = 0,
            ApplicationName = ApplicationName + "-publish",
            CommandTimeout = 5,
        });
    }

    /// <inheritdoc />
    public bool Fits(string room, int payloadBytes) => _ownPrefix.Length + room.Length + 1 + payloadBytes <= MaxNotifyBytes;

    /// <inheritdoc />
    public async Task<bool> PublishAsync(string room, string payload, CancellationToken cancellationToken)
    {
        var message = _ownPrefix + room + ":" + payload;
        if (Encoding.UTF8.GetByteCount(message) > MaxNotifyBytes) return false;
        await using var command = _publisher.CreateCommand($"SELECT pg_notify('{SignalChannel}', $1)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    /// <summary>Closes the publishers' pool (the LISTEN connection ends with <see cref="RunAsync"/>).</summary>
    public ValueTask DisposeAsync() => _publisher.DisposeAsync();

    public async Task RunAsync(Action<string, long> committed, Action<string, string> signalled, Action<string> presenceChanged, Action connected, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == SignalChannel)
                    {
                        if (TryParseSignal(e.Payload, out var signalRoom, out var payload)) signalled(signalRoom, payload);
                    }
                    else if (e.Channel == PostgresPresenceStore.NotifyChannel)
                    {
                        if (e.Payload + ":" != _ownPrefix) presenceChanged(e.Payload);
                    }
                    else if (TryParse(e.Payload, out var room, out var lastId))
                    {
                        committed(room, lastId);
                    }
                };
                await connection.OpenAsync(cancellationToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresAppender.NotifyChannel}; LISTEN {SignalChannel}; LISTEN {PostgresPresenceStore.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }
                StorageLog.FeedConnected(_logger);
                delay = FirstRetryDelay;
                connected();
                while (true)
                {
                    if (!await connection.WaitAsync(KeepAlive, cancellationToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(cancellationToken);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                StorageLog.FeedLost(_logger, (int)delay.TotalMilliseconds, e.Message);
                try
                {
                    await Task.Delay(delay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private bool TryParseSignal(string message, out string room, out string payload)
    {
        room = payload = "";
        if (message.StartsWith(_ownPrefix, StringComparison.Ordinal)) return false;
        var first = message.IndexOf(':');
        var second = first < 0 ? -1 : message.IndexOf(':', first + 1);
        if (second < 0) return false;
        room = message[(first + 1)..second];
        payload = message[(second + 1)..];
        return RoomName.IsValid(room);
    }

    // The instance id holds no ':' (StoreOptions checks it) and a room name cannot hold one either.
    private bool TryParse(string payload, out string room, out long lastId)
    {
        room = "";
        lastId = 0;
        if (payload.StartsWith(_ownPrefix, StringComparison.Ordinal)) return false;
        var first = payload.IndexOf(':');
        var last = payload.LastIndexOf(':');
        if (first <= 0 || last <= first + 1) return false;
        room = payload[(first + 1)..last];
        return RoomName.IsValid(room)
            && long.TryParse(payload.AsSpan(last + 1), NumberStyles.None, CultureInfo.InvariantCulture, out lastId);
    }
}
