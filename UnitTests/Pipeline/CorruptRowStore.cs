using Chat.Storage;

namespace Chat.UnitTests.Pipeline;

/// <summary>
/// A store that, once armed, answers the next read after an id with a row no store should return (no username): a bug
/// in a store, met by whatever reads that row. Everything else goes to the store inside.
/// </summary>
internal sealed class CorruptRowStore(IMessageStore inner) : IMessageStore
{
    private int _corruptNext;

    public string Description => inner.Description;

    public void CorruptNextRead() => Volatile.Write(ref _corruptNext, 1);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public ValueTask<long> AppendAsync(Guid batchKey, string room, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken) =>
        inner.AppendAsync(batchKey, room, batch, cancellationToken);

    public Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(string room, int limit, CancellationToken cancellationToken) =>
        inner.ReadLatestAsync(room, limit, cancellationToken);

    public async Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken)
    {
        var rows = await inner.ReadAfterAsync(room, afterId, limit, cancellationToken);
        if (Interlocked.Exchange(ref _corruptNext, 0) == 0 || rows.Count == 0) return rows;
        return [rows[0] with { Username = null! }, .. rows.Skip(1)];
    }

    public async Task<IReadOnlyList<RoomSummary>> ReadRoomsAsync(CancellationToken cancellationToken)
    {
        var rooms = await inner.ReadRoomsAsync(cancellationToken);
        if (Interlocked.Exchange(ref _corruptNext, 0) == 0 || rooms.Count == 0) return rooms;
        return [rooms[0] with { Room = null! }, .. rooms.Skip(1)];
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
