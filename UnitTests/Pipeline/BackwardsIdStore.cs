using Chat.Storage;

namespace Chat.UnitTests.Pipeline;

/// <summary>
/// A store whose ids start again at 1 with every batch, as a database wiped under a running server would: its first
/// batch is fine, its second breaks the whole process's rule that ids only grow.
/// </summary>
internal sealed class BackwardsIdStore : IMessageStore
{
    public string Description => "ids going backwards";

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask<long> AppendAsync(Guid batchKey, string room, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken) => new(1L);

    public Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(string room, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredMessage>>([]);

    public Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredMessage>>([]);

    public Task<IReadOnlyList<RoomSummary>> ReadRoomsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RoomSummary>>([new RoomSummary(RoomName.General, 0)]);

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
