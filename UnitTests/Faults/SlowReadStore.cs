using Chat.Storage;

namespace Chat.UnitTests.Faults;

/// <summary>
/// The in-memory store whose history reads block their caller's thread for <see cref="ReadDelay"/> once
/// <see cref="Slow"/> is set, the way a synchronous embedded read under a flood does.
/// </summary>
internal sealed class SlowReadStore(IMessageStore inner) : IMessageStore
{
    public static readonly TimeSpan ReadDelay = TimeSpan.FromSeconds(2);

    public volatile bool Slow;

    public string Description => "slow reads over " + inner.Description;

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public ValueTask<long> AppendAsync(Guid batchKey, string room, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken) =>
        inner.AppendAsync(batchKey, room, batch, cancellationToken);

    public Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(string room, int limit, CancellationToken cancellationToken)
    {
        Block();
        return inner.ReadLatestAsync(room, limit, cancellationToken);
    }

    public Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken)
    {
        Block();
        return inner.ReadAfterAsync(room, afterId, limit, cancellationToken);
    }

    public Task<IReadOnlyList<RoomSummary>> ReadRoomsAsync(CancellationToken cancellationToken) => inner.ReadRoomsAsync(cancellationToken);

    public Task<bool> PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private void Block()
    {
        if (Slow) Thread.Sleep(ReadDelay);
    }
}
