using Microsoft.Data.Sqlite;

namespace Chat.Storage;

public sealed partial class SqliteMessageStore
{
    internal const string LatestSql =
        "SELECT id, username, comment, created_at FROM chat_messages ORDER BY id DESC LIMIT $limit";

    internal const string AfterSql =
        "SELECT id, username, comment, created_at FROM chat_messages WHERE id > $after ORDER BY id LIMIT $limit";

    // Removes a contiguous prefix: everything below the first message newer than the cutoff (see PostgresMessageStore).
    internal const string PruneByAgeSql = """
        DELETE FROM chat_messages WHERE id < coalesce(
            (SELECT id FROM chat_messages WHERE created_at >= $cutoff ORDER BY id LIMIT 1),
            (SELECT last_id + 1 FROM chat_id_counter))
        """;

    internal const string PruneByCountSql =
        "DELETE FROM chat_messages WHERE id <= (SELECT max(id) FROM chat_messages) - $keep";

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var newestFirst = Read(LatestSql, limit, cancellationToken, ("$limit", limit));
        newestFirst.Reverse();
        return Task.FromResult<IReadOnlyList<StoredMessage>>(newestFirst);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Task.FromResult<IReadOnlyList<StoredMessage>>(
            Read(AfterSql, limit, cancellationToken, ("$after", afterId), ("$limit", limit)));
    }

    /// <inheritdoc />
    public Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
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
        ObjectDisposedException.ThrowIf(_disposed, this);
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
