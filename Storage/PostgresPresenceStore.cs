using System.Text.Json;
using Npgsql;

namespace Chat.Storage;

/// <summary>
/// Presence rows in the <c>chat_presence</c> table (migration 3): one per (node, room), the node being this process's
/// <see cref="StoreOptions.InstanceId"/>. Each write queues a NOTIFY on <see cref="NotifyChannel"/> carrying only the
/// node id: the names go through the table, never through a payload (NOTIFY payloads stop at 8000 bytes). Leases are
/// reckoned on the database's clock, so the nodes' clocks need not agree.
/// </summary>
public sealed class PostgresPresenceStore : IPresenceStore
{
    /// <summary>The channel that tells the nodes a node's presence rows changed (payload: its node id).</summary>
    internal const string NotifyChannel = "chat_presence";

    // One statement, so the rows and the notification commit together. Upserts the rooms with connections; deletes
    // those without, and with replaceAll every other row of this node. The DELETE and the INSERT touch disjoint rows.
    // A renewal (replaceAll) notifies nobody: it normally changes nothing, and the other nodes read every few seconds
    // anyway, so N nodes do not wake each other N times per renewal period.
    internal const string PublishSql = """
        WITH input AS (
            SELECT * FROM unnest($2::text[], $3::text[], $4::integer[]) AS i(room, names, connections)),
        upserted AS (
            INSERT INTO chat_presence AS p (node, room, names, connections, expires_at)
            SELECT $1, room, names::jsonb, connections, now() + $5 FROM input WHERE connections > 0
            ON CONFLICT (node, room) DO UPDATE
                SET names = excluded.names, connections = excluded.connections, expires_at = excluded.expires_at
            RETURNING 1),
        removed AS (
            DELETE FROM chat_presence p
            WHERE p.node = $1
              AND (p.room IN (SELECT room FROM input WHERE connections = 0)
                   OR ($6 AND p.room NOT IN (SELECT room FROM input WHERE connections > 0)))
            RETURNING 1)
        SELECT CASE WHEN NOT $6 THEN pg_notify('chat_presence', $1) END, (SELECT count(*) FROM upserted), (SELECT count(*) FROM removed)
        """;

    internal const string SweepSql = "DELETE FROM chat_presence WHERE expires_at <= now()";

    internal const string ReadSql = "SELECT room, names::text, connections FROM chat_presence WHERE node <> $1 AND expires_at > now()";

    internal const string RemoveSql = "WITH removed AS (DELETE FROM chat_presence WHERE node = $1 RETURNING 1) SELECT pg_notify('chat_presence', $1), (SELECT count(*) FROM removed)";

    private readonly NpgsqlDataSource _source;
    private readonly string _node;

    /// <param name="connectionString">An Npgsql connection string (the store's).</param>
    /// <param name="options">Its <see cref="StoreOptions.InstanceId"/> names this node's rows.</param>
    public PostgresPresenceStore(string connectionString, StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _node = options.InstanceId;
        // Two connections: a publication and a read may overlap; short commands, so an outage fails fast and retries.
        _source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = 2,
            MinPoolSize = 0,
            ApplicationName = "chat-presence",
            CommandTimeout = 5,
        });
    }

    /// <summary>This node's id in the table (its rows' <c>node</c>).</summary>
    public string Node => _node;

    /// <inheritdoc />
    public async Task PublishAsync(IReadOnlyList<PresenceRow> rooms, bool replaceAll, TimeSpan lease, CancellationToken cancellationToken)
    {
        var names = new string[rooms.Count];
        var roomNames = new string[rooms.Count];
        var connections = new int[rooms.Count];
        for (var i = 0; i < rooms.Count; i++)
        {
            roomNames[i] = rooms[i].Room;
            names[i] = JsonSerializer.Serialize(rooms[i].Names);
            connections[i] = rooms[i].Connections;
        }
        await using var command = _source.CreateCommand(PublishSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _node });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = roomNames });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = connections });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = lease });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = replaceAll });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PresenceRow>> ReadOthersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using (var sweep = new NpgsqlCommand(SweepSql, connection))
        {
            await sweep.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var read = new NpgsqlCommand(ReadSql, connection);
        read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _node });
        var rows = new List<PresenceRow>();
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var names = JsonSerializer.Deserialize<string[]>(reader.GetString(1)) ?? [];
            rows.Add(new PresenceRow(reader.GetString(0), names, reader.GetInt32(2)));
        }
        return rows;
    }

    /// <inheritdoc />
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(RemoveSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _node });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
