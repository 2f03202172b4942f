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

        // Rooms: history from before them stays in 'general' with its ids, and the one counter becomes general's row
        // of a counter per room. The primary key (room, id) serves the per-room history reads as index scans.
        """
        ALTER TABLE chat_messages ADD COLUMN room text NOT NULL DEFAULT 'general';
        ALTER TABLE chat_messages ALTER COLUMN room DROP DEFAULT;
        ALTER TABLE chat_messages DROP CONSTRAINT chat_messages_pkey;
        ALTER TABLE chat_messages ADD CONSTRAINT chat_messages_pkey PRIMARY KEY (room, id);
        CREATE TABLE chat_rooms (
            room text PRIMARY KEY,
            last_id bigint NOT NULL);
        INSERT INTO chat_rooms (room, last_id) SELECT 'general', last_id FROM chat_id_counter;
        DROP TABLE chat_id_counter;
        ALTER TABLE chat_batches ADD COLUMN room text NOT NULL DEFAULT 'general';
        """,

        // Presence across nodes: one row per node and room under a lease (see PostgresPresenceStore). Unlogged: the
        // rows are rewritten every few seconds and worth nothing after a database crash (PostgreSQL empties an unlogged
        // table then), so they skip the WAL.
        """
        CREATE UNLOGGED TABLE chat_presence (
            node text NOT NULL,
            room text NOT NULL,
            names jsonb NOT NULL,
            connections integer NOT NULL,
            expires_at timestamptz NOT NULL,
            PRIMARY KEY (node, room));
        CREATE INDEX chat_presence_expires_at ON chat_presence (expires_at);
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
