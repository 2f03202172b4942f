using Npgsql;

namespace Chat.Storage;

public sealed partial class PostgresMessageStore
{
    // Both are index scans on the primary key (room, id) (see the plan test): the latest N read backwards, then reversed.
    internal const string LatestSql =
        "SELECT id, username, comment, created_at FROM chat_messages WHERE room = $1 ORDER BY id DESC LIMIT $2";

    internal const string AfterSql =
        "SELECT id, username, comment, created_at FROM chat_messages WHERE room = $1 AND id > $2 ORDER BY id LIMIT $3";

    internal const string RoomsSql = "SELECT room, last_id FROM chat_rooms ORDER BY room COLLATE \"C\"";

    // Per room, keeps a contiguous prefix out: everything below the room's first message newer than the cutoff. Ids
    // follow time within a room, and its history never gets a hole; each room's scan walks its part of the primary key.
    internal const string PruneByAgeSql = """
        WITH cut AS (
            SELECT r.room, coalesce(
                (SELECT m.id FROM chat_messages m WHERE m.room = r.room AND m.created_at >= $1 ORDER BY m.id LIMIT 1),
                r.last_id + 1) AS below
            FROM chat_rooms r)
        DELETE FROM chat_messages m USING cut WHERE m.room = cut.room AND m.id < cut.below
        """;

    // Per room: ids are dense, so the newest M are those above the room's last id minus M.
    internal const string PruneByCountSql = """
        DELETE FROM chat_messages m USING chat_rooms r WHERE m.room = r.room AND m.id <= r.last_id - $1
        """;

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(string room, int limit, CancellationToken cancellationToken)
    {
        StoreArguments.CheckRead(room, limit);
        var newestFirst = await ReadAsync(
            LatestSql,
            command =>
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            },
            limit,
            cancellationToken);
        newestFirst.Reverse();
        return newestFirst;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken)
    {
        StoreArguments.CheckRead(room, limit);
        return await ReadAsync(
            AfterSql,
            command =>
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            },
            limit,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RoomSummary>> ReadRoomsAsync(CancellationToken cancellationToken) =>
        WithFreshRetryAsync<IReadOnlyList<RoomSummary>>(
            async token =>
            {
                await using var command = _readSource.CreateCommand(RoomsSql);
                await using var reader = await command.ExecuteReaderAsync(token);
                var rooms = new List<RoomSummary>();
                while (await reader.ReadAsync(token))
                {
                    rooms.Add(new RoomSummary(reader.GetString(0), reader.GetInt64(1)));
                }

                return rooms;
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await WithFreshRetryAsync(
                async token =>
                {
                    await using var command = _readSource.CreateCommand("SELECT 1");
                    return await command.ExecuteScalarAsync(token) is 1;
                },
                cancellationToken);
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>One retention pass; returns the number of messages deleted.</summary>
    internal async Task<long> PruneAsync(CancellationToken cancellationToken)
    {
        long pruned = 0;
        if (_options.RetentionDays > 0)
        {
            await using var command = _readSource.CreateCommand(PruneByAgeSql);
            command.Parameters.Add(new NpgsqlParameter<DateTime>
            {
                TypedValue = DateTime.UtcNow.AddDays(-_options.RetentionDays),
                NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz,
            });
            pruned += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (_options.RetentionMaxRows > 0)
        {
            await using var command = _readSource.CreateCommand(PruneByCountSql);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _options.RetentionMaxRows });
            pruned += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return pruned;
    }

    private Task<List<StoredMessage>> ReadAsync(
        string sql, Action<NpgsqlCommand> bind, int limit, CancellationToken cancellationToken) =>
        WithFreshRetryAsync(
            async token =>
            {
                await using var command = _readSource.CreateCommand(sql);
                bind(command);
                await using var reader = await command.ExecuteReaderAsync(token);
                var messages = new List<StoredMessage>(Math.Min(limit, 1024));
                while (await reader.ReadAsync(token))
                {
                    messages.Add(new StoredMessage(
                        reader.GetInt64(0),
                        reader.GetString(1),
                        reader.GetString(2),
                        reader.GetFieldValue<DateTime>(3)));
                }

                return messages;
            },
            cancellationToken);

    // Pooled connections die silently when the server restarts; the first use then fails. Reads are idempotent, so
    // such a failure empties the pool and is tried once more on a new connection.
    private async Task<T> WithFreshRetryAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        _lifecycle.ThrowIfDisposed();
        try
        {
            return await read(cancellationToken);
        }
        catch (NpgsqlException e) when (e.IsTransient && !cancellationToken.IsCancellationRequested)
        {
            _readSource.Clear();
            return await read(cancellationToken);
        }
    }
}
