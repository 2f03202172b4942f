using Npgsql;

namespace Chat.Storage;

/// <summary>
/// The one connection a <see cref="PostgresMessageStore"/> appends on, with its statements prepared once. Any failure
/// leaves it unusable: the store disposes it and opens a new one for the next append.
/// </summary>
internal sealed class PostgresAppender : IAsyncDisposable
{
    // Allocates the batch's ids in its room and records its key in one round trip. The upsert takes the room's counter
    // row lock (creating the row for a new room), which is held until COMMIT or ROLLBACK. So the batches of one room,
    // from every node, commit one at a time in id order: any snapshot sees a prefix of each room's id sequence, and a
    // rolled-back batch leaves no gap (its increment is rolled back with it). Batches of other rooms lock other rows
    // and commit beside it. A concurrent first batch of a new room waits on the speculative insert, then updates.
    // No row comes back when the key was already recorded (ON CONFLICT waits for a concurrent holder of the key).
    // The same round trip queues a notification "<instance>:<room>:<last id>" that PostgreSQL delivers only if the
    // transaction commits: the other nodes learn of the batch from it (see PostgresCommitFeed).
    internal const string AllocateSql = """
        WITH allocated AS (
            INSERT INTO chat_rooms AS r (room, last_id) VALUES ($4, $2)
            ON CONFLICT (room) DO UPDATE SET last_id = r.last_id + $2
            RETURNING r.last_id - $2 + 1 AS first_id),
        recorded AS (
            INSERT INTO chat_batches (batch_key, room, first_id, count, committed_at)
            SELECT $1, $4, first_id, $2, now() FROM allocated
            ON CONFLICT (batch_key) DO NOTHING
            RETURNING first_id)
        SELECT first_id, pg_notify('chat_commits', $3 || ':' || $4 || ':' || (first_id + $2 - 1)::text) FROM recorded
        """;

    internal const string NotifyChannel = "chat_commits";

    internal const string LookupSql = "SELECT first_id FROM chat_batches WHERE batch_key = $1";

    internal const string PruneKeysSql = "DELETE FROM chat_batches WHERE committed_at < now() - $1";

    private readonly NpgsqlConnection _connection;
    private readonly TimeSpan _timeout;
    private readonly NpgsqlCommand _allocate;
    private readonly NpgsqlParameter<Guid> _allocateKey = new();
    private readonly NpgsqlParameter<int> _allocateCount = new();
    private readonly NpgsqlParameter<string> _allocateInstance = new();
    private readonly NpgsqlParameter<string> _allocateRoom = new();
    private readonly NpgsqlCommand _lookup;
    private readonly NpgsqlParameter<Guid> _lookupKey = new();
    private readonly NpgsqlCommand _pruneKeys;
    private readonly long _pruneKeysEveryMs;
    private long _lastKeyPruneMs;

    private PostgresAppender(NpgsqlConnection connection, int timeoutSeconds, TimeSpan keyPruneInterval, string instanceId)
    {
        _connection = connection;
        _timeout = TimeSpan.FromSeconds(timeoutSeconds);
        _allocate = new NpgsqlCommand(AllocateSql, connection) { CommandTimeout = timeoutSeconds };
        _allocate.Parameters.Add(_allocateKey);
        _allocate.Parameters.Add(_allocateCount);
        _allocate.Parameters.Add(_allocateInstance);
        _allocate.Parameters.Add(_allocateRoom);
        _allocateInstance.TypedValue = instanceId;
        _lookup = new NpgsqlCommand(LookupSql, connection) { CommandTimeout = timeoutSeconds };
        _lookup.Parameters.Add(_lookupKey);
        _pruneKeys = new NpgsqlCommand(PruneKeysSql, connection) { CommandTimeout = timeoutSeconds };
        _pruneKeys.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = BatchKeyPolicy.Lifetime });
        _pruneKeysEveryMs = (long)keyPruneInterval.TotalMilliseconds;
        _lastKeyPruneMs = Environment.TickCount64;
    }

    /// <param name="keyPruneInterval">Normally <see cref="BatchKeyPolicy.PruneInterval"/>.</param>
    /// <param name="instanceId">Carried by the commit notifications (<see cref="StoreOptions.InstanceId"/>).</param>
    public static async Task<PostgresAppender> OpenAsync(
        NpgsqlDataSource dataSource, int timeoutSeconds, TimeSpan keyPruneInterval, string instanceId, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var appender = new PostgresAppender(connection, timeoutSeconds, keyPruneInterval, instanceId);
        try
        {
            // Parameter types must be known to prepare.
            appender._allocateKey.TypedValue = Guid.Empty;
            appender._allocateCount.TypedValue = 0;
            appender._allocateRoom.TypedValue = RoomName.General;
            appender._lookupKey.TypedValue = Guid.Empty;
            await appender._allocate.PrepareAsync(cancellationToken);
            await appender._lookup.PrepareAsync(cancellationToken);
            return appender;
        }
        catch
        {
            await appender.DisposeAsync();
            throw;
        }
    }

    /// <summary>One transaction: allocate ids in the room and record the key, COPY the rows, COMMIT. Returns the first id.</summary>
    /// <param name="room">A valid room name, and its UTF-8 for the COPY rows.</param>
    public async Task<long> AppendAsync(
        Guid batchKey, string room, byte[] roomUtf8, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken)
    {
        long firstId;
        await using (var transaction = await _connection.BeginTransactionAsync(cancellationToken))
        {
            _allocateKey.TypedValue = batchKey;
            _allocateCount.TypedValue = batch.Length;
            _allocateRoom.TypedValue = room;
            var allocated = await _allocate.ExecuteScalarAsync(cancellationToken);
            if (allocated is not long first)
            {
                await transaction.RollbackAsync(cancellationToken);
                return await LookupAsync(batchKey, cancellationToken);
            }

            firstId = first;
            await using (var writer = await MessageCopyWriter.BeginAsync(_connection, roomUtf8, _timeout, cancellationToken))
            {
                for (var i = 0; i < batch.Length; i++)
                {
                    await writer.WriteAsync(firstId + i, batch.Span[i], cancellationToken);
                }

                await writer.CompleteAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return firstId;
    }

    /// <summary>Deletes keys older than <see cref="BatchKeyPolicy.Lifetime"/>, at most once per prune interval; true when it ran.</summary>
    public async Task<bool> PruneKeysIfDueAsync(CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        if (now - _lastKeyPruneMs < _pruneKeysEveryMs)
        {
            return false;
        }

        _lastKeyPruneMs = now;
        await _pruneKeys.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _allocate.DisposeAsync();
        await _lookup.DisposeAsync();
        await _pruneKeys.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task<long> LookupAsync(Guid batchKey, CancellationToken cancellationToken)
    {
        _lookupKey.TypedValue = batchKey;
        var stored = await _lookup.ExecuteScalarAsync(cancellationToken);
        return stored is long firstId
            ? firstId
            : throw new InvalidOperationException($"Batch {batchKey} conflicted but is not recorded.");
    }
}
