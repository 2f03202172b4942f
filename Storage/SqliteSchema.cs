using Microsoft.Data.Sqlite;

namespace Chat.Storage;

/// <summary>The SQLite schema as an ordered list of migrations; the applied ones are rows of <c>schema_version</c>.</summary>
internal static class SqliteSchema
{
    /// <summary>Migration i (0-based) brings the schema to version i + 1. Append only; never edit a shipped one.</summary>
    internal static readonly string[] Migrations =
    [
        // id INTEGER PRIMARY KEY is the rowid: the table itself is the B-tree keyed by id. created_at is Unix ms.
        """
        CREATE TABLE chat_messages (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            comment TEXT NOT NULL,
            created_at INTEGER NOT NULL);
        CREATE TABLE chat_id_counter (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            last_id INTEGER NOT NULL);
        INSERT INTO chat_id_counter (singleton, last_id) VALUES (1, 0);
        CREATE TABLE chat_batches (
            batch_key BLOB PRIMARY KEY,
            first_id INTEGER NOT NULL,
            count INTEGER NOT NULL,
            committed_at INTEGER NOT NULL);
        CREATE INDEX chat_batches_committed_at ON chat_batches (committed_at);
        """,

        // Rooms: history from before them stays in 'general' with its ids, and the one counter becomes general's row
        // of a counter per room. SQLite cannot change a primary key in place, so the table is rebuilt; WITHOUT ROWID
        // makes (room, id) the B-tree the per-room history reads walk.
        """
        CREATE TABLE chat_messages_rooms (
            room TEXT NOT NULL,
            id INTEGER NOT NULL,
            username TEXT NOT NULL,
            comment TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (room, id)) WITHOUT ROWID;
        INSERT INTO chat_messages_rooms (room, id, username, comment, created_at)
            SELECT 'general', id, username, comment, created_at FROM chat_messages;
        DROP TABLE chat_messages;
        ALTER TABLE chat_messages_rooms RENAME TO chat_messages;
        CREATE TABLE chat_rooms (
            room TEXT PRIMARY KEY,
            last_id INTEGER NOT NULL);
        INSERT INTO chat_rooms (room, last_id) SELECT 'general', last_id FROM chat_id_counter;
        DROP TABLE chat_id_counter;
        ALTER TABLE chat_batches ADD COLUMN room TEXT NOT NULL DEFAULT 'general';
        """,
    ];

    internal static int LatestVersion => Migrations.Length;

    /// <summary>Brings the schema to <see cref="LatestVersion"/> under the write lock; returns the version found before.</summary>
    public static int Migrate(SqliteConnection connection, string store)
    {
        // BEGIN IMMEDIATE takes the write lock first, so a second process starting at once waits, then finds the schema.
        using var transaction = connection.BeginTransaction(deferred: false);
        Execute(
            connection,
            transaction,
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");

        int found;
        using (var command = new SqliteCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection, transaction))
        {
            found = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (found > LatestVersion)
        {
            throw new StoreUnavailableException(
                $"{store}: schema version {found} is newer than this server knows ({LatestVersion}); run a newer server.");
        }

        for (var version = found + 1; version <= LatestVersion; version++)
        {
            Execute(connection, transaction, Migrations[version - 1]);
            using var record = new SqliteCommand("INSERT INTO schema_version (version, applied_at) VALUES ($v, $t)", connection, transaction);
            record.Parameters.AddWithValue("$v", version);
            record.Parameters.AddWithValue("$t", StoredTime.ToUnixMilliseconds(DateTime.UtcNow));
            record.ExecuteNonQuery();
        }

        transaction.Commit();
        return found;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = new SqliteCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}
