using Npgsql;

namespace Chat.Storage;

/// <summary>The PostgreSQL schema as an ordered list of migrations; the applied ones are rows of <c>schema_version</c>.</summary>
internal static class PostgresSchema
{
    /// <summary>Key of the transaction-scoped advisory lock under which migrations run: two nodes starting at once do not race.</summary>
    internal const long MigrationLockKey = 0x6368_6174_7363_6831; // "chatsch1"

    /// <summary>Migration i (0-based) brings the schema to version i + 1. Append only; never edit a shipped one.</summary>
    internal static readonly string[] Migrations =
    [
        """
        CREATE TABLE chat_messages (
            id bigint PRIMARY KEY,
            username text NOT NULL,
            comment text NOT NULL,
            created_at timestamptz NOT NULL);
        CREATE TABLE chat_id_counter (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            last_id bigint NOT NULL);
        INSERT INTO chat_id_counter (singleton, last_id) VALUES (true, 0);
        CREATE TABLE chat_batches (
            batch_key uuid PRIMARY KEY,
            first_id bigint NOT NULL,
            count integer NOT NULL,
            committed_at timestamptz NOT NULL);
        CREATE INDEX chat_batches_committed_at ON chat_batches (committed_at);
        """,
    ];

    internal static int LatestVersion => Migrations.Length;

    /// <summary>Brings the schema to <see cref="LatestVersion"/>; returns the version found before.</summary>
    public static async Task<int> MigrateAsync(NpgsqlConnection connection, string store, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = MigrationLockKey });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await ExecuteAsync(
            connection,
            transaction,
            "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            cancellationToken);

        int found;
        await using (var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection, transaction))
        {
            found = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        if (found > LatestVersion)
        {
            throw new StoreUnavailableException(
                $"{store}: schema version {found} is newer than this server knows ({LatestVersion}); run a newer server.");
        }

        for (var version = found + 1; version <= LatestVersion; version++)
        {
            await ExecuteAsync(connection, transaction, Migrations[version - 1], cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES ($1)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return found;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
