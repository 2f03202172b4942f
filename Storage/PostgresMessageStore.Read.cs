using Npgsql;

namespace Chat.Storage;

public sealed partial class PostgresMessageStore
{
    // Both are index scans on the primary key (see the plan test): the latest N read backwards, then reversed.
    internal const string LatestSql =
        "SELECT id, username, comment, created_at FROM chat_messages ORDER BY id DESC LIMIT $1";

    internal const string AfterSql =
        "SELECT id, username, comment, created_at FROM chat_messages WHERE id > $1 ORDER BY id LIMIT $2";

    // Keeps a contiguous prefix out: everything below the first message newer than the cutoff. Ids follow time, and
    // history never gets a hole; the scan walks the primary key over the rows it is about to delete.
    internal const string PruneByAgeSql = """
        DELETE FROM chat_messages WHERE id < coalesce(
            (SELECT id FROM chat_messages WHERE created_at >= $1 ORDER BY id LIMIT 1),
            (SELECT last_id + 1 FROM chat_id_counter))
        """;

    internal const string PruneByCountSql =
        "DELETE FROM chat_messages WHERE id <= (SELECT max(id) FROM chat_messages) - $1";

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var newestFirst = await ReadAsync(
            LatestSql,
            command => command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit }),
            limit,
            cancellationToken);
        newestFirst.Reverse();
        return newestFirst;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return await ReadAsync(
            AfterSql,
            command =>
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            },
            limit,
            cancellationToken);
    }

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
        ObjectDisposedException.ThrowIf(_disposed, this);
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
