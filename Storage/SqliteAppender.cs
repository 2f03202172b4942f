using Microsoft.Data.Sqlite;

namespace Chat.Storage;

/// <summary>
/// The one connection a <see cref="SqliteMessageStore"/> appends on, with its statements prepared once. Any failure
/// leaves it unusable: the store disposes it and opens a new one for the next append.
/// </summary>
internal sealed class SqliteAppender : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _lookup;
    private readonly SqliteCommand _allocate;
    private readonly SqliteCommand _recordKey;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _pruneKeys;
    private readonly SqliteParameter _insertRoom;
    private readonly SqliteParameter _insertId;
    private readonly SqliteParameter _insertUsername;
    private readonly SqliteParameter _insertComment;
    private readonly SqliteParameter _insertCreatedAt;
    private readonly long _pruneKeysEveryMs;
    private long _lastKeyPruneMs;

    private SqliteAppender(SqliteConnection connection, TimeSpan keyPruneInterval)
    {
        _connection = connection;
        _lookup = Command("SELECT first_id FROM chat_batches WHERE batch_key = $key", "$key");

        // The room's counter row is upserted inside the BEGIN IMMEDIATE transaction, which holds the database's write
        // lock until COMMIT: batches (from any connection or process) commit one at a time, so each room's ids follow
        // commit order, and a rolled-back batch rolls its increment back with it, so ids stay dense. The counter, not
        // max(id), survives retention. (SQLite has one writer: rooms do not commit in parallel here.)
        _allocate = Command(
            "INSERT INTO chat_rooms (room, last_id) VALUES ($room, $count) ON CONFLICT (room) DO UPDATE SET last_id = last_id + $count RETURNING last_id",
            "$room", "$count");
        _recordKey = Command(
            "INSERT INTO chat_batches (batch_key, room, first_id, count, committed_at) VALUES ($key, $room, $first, $count, $at)",
            "$key", "$room", "$first", "$count", "$at");
        _insert = Command(
            "INSERT INTO chat_messages (room, id, username, comment, created_at) VALUES ($room, $id, $username, $comment, $at)",
            "$room", "$id", "$username", "$comment", "$at");
        _insertRoom = _insert.Parameters[0];
        _insertId = _insert.Parameters[1];
        _insertUsername = _insert.Parameters[2];
        _insertComment = _insert.Parameters[3];
        _insertCreatedAt = _insert.Parameters[4];

        _pruneKeys = Command("DELETE FROM chat_batches WHERE committed_at < $cutoff", "$cutoff");
        _pruneKeysEveryMs = (long)keyPruneInterval.TotalMilliseconds;
        _lastKeyPruneMs = Environment.TickCount64;
    }

    /// <summary>Takes ownership of an open connection already set to WAL and synchronous=FULL.</summary>
    /// <param name="connection">The writer connection.</param>
    /// <param name="keyPruneInterval">Normally <see cref="BatchKeyPolicy.PruneInterval"/>.</param>
    public static SqliteAppender Open(SqliteConnection connection, TimeSpan keyPruneInterval) => new(connection, keyPruneInterval);

    /// <summary>One BEGIN IMMEDIATE transaction: look up the key, allocate ids in the room, insert the rows, COMMIT.</summary>
    public long Append(Guid batchKey, string room, ReadOnlySpan<NewMessage> batch)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        Enlist(transaction);

        _lookup.Parameters[0].Value = batchKey;
        if (_lookup.ExecuteScalar() is long committedFirstId)
        {
            transaction.Rollback();
            return committedFirstId;
        }

        _allocate.Parameters[0].Value = room;
        _allocate.Parameters[1].Value = batch.Length;
        var firstId = (long)_allocate.ExecuteScalar()! - batch.Length + 1;
        var now = StoredTime.ToUnixMilliseconds(DateTime.UtcNow);

        _recordKey.Parameters[0].Value = batchKey;
        _recordKey.Parameters[1].Value = room;
        _recordKey.Parameters[2].Value = firstId;
        _recordKey.Parameters[3].Value = batch.Length;
        _recordKey.Parameters[4].Value = now;
        _recordKey.ExecuteNonQuery();

        _insertRoom.Value = room;
        for (var i = 0; i < batch.Length; i++)
        {
            _insertId.Value = firstId + i;
            _insertUsername.Value = StoredText.ToStoredString(batch[i].Username);
            _insertComment.Value = StoredText.ToStoredString(batch[i].Comment);
            _insertCreatedAt.Value = StoredTime.ToUnixMilliseconds(batch[i].Timestamp);
            _insert.ExecuteNonQuery();
        }

        // Inside the transaction: SQLite has one writer anyway, and this runs at most once per prune interval.
        if (Environment.TickCount64 - _lastKeyPruneMs >= _pruneKeysEveryMs)
        {
            _lastKeyPruneMs = Environment.TickCount64;
            _pruneKeys.Parameters[0].Value = now - (long)BatchKeyPolicy.Lifetime.TotalMilliseconds;
            _pruneKeys.ExecuteNonQuery();
        }

        transaction.Commit();
        return firstId;
    }

    public void Dispose()
    {
        _lookup.Dispose();
        _allocate.Dispose();
        _recordKey.Dispose();
        _insert.Dispose();
        _pruneKeys.Dispose();
        _connection.Dispose();
    }

    private SqliteCommand Command(string sql, params string[] parameterNames)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private void Enlist(SqliteTransaction transaction)
    {
        _lookup.Transaction = transaction;
        _allocate.Transaction = transaction;
        _recordKey.Transaction = transaction;
        _insert.Transaction = transaction;
        _pruneKeys.Transaction = transaction;
    }
}
