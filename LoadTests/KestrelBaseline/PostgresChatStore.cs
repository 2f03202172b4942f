using Npgsql;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>
/// What a simple server does with PostgreSQL: one autocommit <c>INSERT ... RETURNING id</c> per message on a pooled
/// connection. Its own table, so that it can share a database with our server's <c>chat_messages</c>.
/// </summary>
internal sealed class PostgresChatStore : IChatStore
{
    internal const string TableName = "baseline_chat_messages";

    private const string CreateSql = $"""
        CREATE TABLE IF NOT EXISTS {TableName} (
            id bigserial PRIMARY KEY,
            username text NOT NULL,
            comment text NOT NULL,
            created_at timestamptz NOT NULL)
        """;

    private const string InsertSql = $"INSERT INTO {TableName} (username, comment, created_at) VALUES ($1, $2, $3) RETURNING id";
    private const string LatestSql = $"SELECT id, username, comment, created_at FROM {TableName} ORDER BY id DESC LIMIT $1";
    private const string AfterSql = $"SELECT id, username, comment, created_at FROM {TableName} WHERE id > $1 ORDER BY id LIMIT $2";

    private readonly NpgsqlDataSource _dataSource;

    public PostgresChatStore(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public string Description { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(CreateSql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ChatMessage> AppendAsync(string username, string comment, DateTime timestamp, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(InsertSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = username });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = comment });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = timestamp });
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new ChatMessage(id, username, comment, timestamp);
    }

    public async Task<IReadOnlyList<ChatMessage>> ReadLatestAsync(int limit, CancellationToken cancellationToken)
    {
        var newestFirst = await ReadAsync(LatestSql, cancellationToken, limit);
        newestFirst.Reverse();
        return newestFirst;
    }

    public async Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken) =>
        await ReadAsync(AfterSql, cancellationToken, afterId, limit);

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = _dataSource.CreateCommand("SELECT 1");
            return await command.ExecuteScalarAsync(cancellationToken) is 1;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private async Task<List<ChatMessage>> ReadAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = _dataSource.CreateCommand(sql);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var messages = new List<ChatMessage>();
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new ChatMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3)));
        }

        return messages;
    }
}
