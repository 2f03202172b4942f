using Microsoft.Data.Sqlite;

namespace Chat.Storage;

public sealed partial class SqliteMessageStore
{
    // Both walk the (room, id) primary key of the WITHOUT ROWID table.
    internal const string LatestSql =
        "SELECT id, username, comment, created_at FROM chat_messages WHERE room = $room ORDER BY id DESC LIMIT $limit";

    internal const string AfterSql =
        "SELECT id, username, comment, created_at FROM chat_messages WHERE room = $room AND id > $after ORDER BY id LIMIT $limit";

    internal const string RoomsSql = "SELECT room, last_id FROM chat_rooms ORDER BY room";

    // Per room, removes a contiguous prefix: everything below its first message newer than the cutoff (see PostgresMessageStore).
    internal const string PruneByAgeSql = """
        DELETE FROM chat_messages AS m WHERE m.id < (
            SELECT coalesce(
                (SELECT f.id FROM chat_messages f WHERE f.room = r.room AND f.created_at >= $cutoff ORDER BY f.id LIMIT 1),
                r.last_id + 1)
            FROM chat_rooms r WHERE r.room = m.room)
        """;

    // Per room: ids are dense, so the newest M are those above the room's last id minus M.
    internal const string PruneByCountSql =
        "DELETE FROM chat_messages AS m WHERE m.id <= (SELECT r.last_id FROM chat_rooms r WHERE r.room = m.room) - $keep";

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(string room, int limit, CancellationToken cancellationToken)
    {
        StoreArguments.CheckRead(room, limit);
        var newestFirst = Read(LatestSql, limit, cancellationToken, ("$room", room), ("$limit", limit));
        newestFirst.Reverse();
        return Task.FromResult<IReadOnlyList<StoredMessage>>(newestFirst);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken)
    {
        StoreArguments.CheckRead(room, limit);
        return Task.FromResult<IReadOnlyList<StoredMessage>>(
            Read(AfterSql, limit, cancellationToken, ("$room", room), ("$after", afterId), ("$limit", limit)));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RoomSummary>> ReadRoomsAsync(CancellationToken cancellationToken)
    {
        _lifecycle.ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = OpenReader();
        using var command = new SqliteCommand(RoomsSql, connection);
        using var reader = command.ExecuteReader();
        var rooms = new List<RoomSummary>();
        while (reader.Read())
        {
            rooms.Add(new RoomSummary(reader.GetString(0), reader.GetInt64(1)));
        }

        return Task.FromResult<IReadOnlyList<RoomSummary>>(rooms);
    }

    /// <inheritdoc />
    public Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            _lifecycle.ThrowIfDisposed();
            cancellationToken.ThrowIfCancellationRequested();
            using var connection = OpenReader();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM schema_version";
            return Task.FromResult(command.ExecuteScalar() is long versions && versions > 0);
        }
        catch (Exception)
        {
            return Task.FromResult(false);
        }
    }

    /// <summary>One retention pass; returns the number of messages deleted.</summary>
    internal Task<long> PruneAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = OpenReader();
        long pruned = 0;
        if (_options.RetentionDays > 0)
        {
            using var command = new SqliteCommand(PruneByAgeSql, connection);
            command.Parameters.AddWithValue(
                "$cutoff", StoredTime.ToUnixMilliseconds(DateTime.UtcNow.AddDays(-_options.RetentionDays)));
            pruned += command.ExecuteNonQuery();
        }

        if (_options.RetentionMaxRows > 0)
        {
            using var command = new SqliteCommand(PruneByCountSql, connection);
            command.Parameters.AddWithValue("$keep", _options.RetentionMaxRows);
            pruned += command.ExecuteNonQuery();
        }

        return Task.FromResult(pruned);
    }

    private List<StoredMessage> Read(
        string sql, int limit, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        _lifecycle.ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = OpenReader();
        using var command = new SqliteCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var messages = new List<StoredMessage>(Math.Min(limit, 1024));
        while (reader.Read())
        {
            messages.Add(new StoredMessage(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                StoredTime.FromUnixMilliseconds(reader.GetInt64(3))));
        }

        return messages;
    }

    private SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
