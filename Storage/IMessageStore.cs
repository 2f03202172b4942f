namespace Chat.Storage;

/// <summary>Durable chat history. The pipeline sees storage only through this interface.</summary>
public interface IMessageStore : IAsyncDisposable
{
    /// <summary>For logs, e.g. "PostgreSQL 127.0.0.1:5433/chat" or "SQLite /abs/data/chat.db" (never a password).</summary>
    string Description { get; }

    /// <summary>
    /// Creates or migrates the schema idempotently (schema version table). Throws <see cref="StoreUnavailableException"/>
    /// with a one-line message when the database cannot be reached or opened.
    /// </summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores the whole batch in <paramref name="room"/> in one transaction and returns the id given to <c>batch[0]</c>;
    /// <c>batch[i]</c> gets <c>firstId + i</c>. Ids are per room: dense and strictly increasing in the room's commit
    /// order, also with several processes on one database; batches of different rooms do not wait for each other.
    /// Idempotent per <paramref name="batchKey"/>: when a batch with this key was already committed, nothing is written again and the first id of that batch is returned. On failure nothing of the batch is stored and the
    /// exception propagates (the caller retries with the same key).
    /// </summary>
    /// <remarks>
    /// Text is stored byte for byte when it is valid UTF-8 without U+0000; otherwise invalid sequences and U+0000 are
    /// stored as U+FFFD (PostgreSQL text can hold neither), so one bad message can never make a batch fail forever.
    /// </remarks>
    ValueTask<long> AppendAsync(Guid batchKey, string room, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken);

    /// <summary>Appends to <see cref="RoomName.General"/>, the room of every client that names none.</summary>
    ValueTask<long> AppendAsync(Guid batchKey, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken) =>
        AppendAsync(batchKey, RoomName.General, batch, cancellationToken);

    /// <summary>The latest <paramref name="limit"/> messages of <paramref name="room"/>, oldest first.</summary>
    Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(string room, int limit, CancellationToken cancellationToken);

    /// <summary>The latest messages of <see cref="RoomName.General"/>.</summary>
    Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(int limit, CancellationToken cancellationToken) =>
        ReadLatestAsync(RoomName.General, limit, cancellationToken);

    /// <summary>
    /// Messages of <paramref name="room"/> with id greater than <paramref name="afterId"/>, ascending, at most
    /// <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>Messages of <see cref="RoomName.General"/> after an id.</summary>
    Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken) =>
        ReadAfterAsync(RoomName.General, afterId, limit, cancellationToken);

    /// <summary>
    /// Every room a message was stored in (and <see cref="RoomName.General"/> always), sorted by name (ordinal), each
    /// with its last id.
    /// </summary>
    Task<IReadOnlyList<RoomSummary>> ReadRoomsAsync(CancellationToken cancellationToken);

    /// <summary>True when the store answers a trivial query now (used by /healthz); never throws.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
