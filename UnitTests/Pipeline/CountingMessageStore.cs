using Chat.Storage;

namespace Chat.UnitTests.Pipeline;

/// <summary>
/// A store that only counts: dense ids per batch, idempotent per batch key (the last key), nothing kept to read back.
/// One counter serves every room: each room's ids still increase strictly (with gaps, which the wire contract allows).
/// Unlike the benchmark store (<see cref="Chat.Storage.InMemoryMessageStore"/>, which keeps every message for history)
/// it allocates nothing per append, so a measurement over the pipeline counts the pipeline and the reactor only.
/// </summary>
internal sealed class CountingMessageStore : IMessageStore
{
    private readonly Lock _gate = new();
    private long _lastId;
    private Guid _lastKey;
    private long _lastFirstId;

    public string Description => "in memory";

    /// <summary>Messages committed so far.</summary>
    public long Count => Interlocked.Read(ref _lastId);

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask<long> AppendAsync(Guid batchKey, string room, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (batchKey == _lastKey) return ValueTask.FromResult(_lastFirstId);
            _lastKey = batchKey;
            _lastFirstId = _lastId + 1;
            Interlocked.Add(ref _lastId, batch.Length);
            return ValueTask.FromResult(_lastFirstId);
        }
    }

    public Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(string room, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredMessage>>([]);

    public Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredMessage>>([]);

    public Task<IReadOnlyList<RoomSummary>> ReadRoomsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RoomSummary>>([new RoomSummary(RoomName.General, Count)]);

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
