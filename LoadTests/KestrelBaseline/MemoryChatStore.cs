namespace Chat.LoadTests.KestrelBaseline;

/// <summary>
/// The "store switched off" mode: ids from a counter, the last <c>capacity</c> messages in a ring for history and
/// since= replay. Nothing survives a restart, and a since= older than the ring replays what the ring still holds.
/// </summary>
internal sealed class MemoryChatStore(int capacity) : IChatStore
{
    private readonly ChatMessage[] _ring = new ChatMessage[capacity];
    private readonly Lock _gate = new();
    private long _lastId;

    public string Description => $"memory (last {capacity} messages)";

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<ChatMessage> AppendAsync(string username, string comment, DateTime timestamp, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var message = new ChatMessage(++_lastId, username, comment, timestamp);
            _ring[message.Id % capacity] = message;
            return Task.FromResult(message);
        }
    }

    public Task<IReadOnlyList<ChatMessage>> ReadLatestAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ChatMessage>>(Slice(Math.Max(_lastId - limit, 0), limit));
        }
    }

    public Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<ChatMessage>>(Slice(afterId, limit));
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // Ids are dense, so id i sits at i % capacity while it is among the last `capacity` ids. Called under the lock.
    private List<ChatMessage> Slice(long afterId, int limit)
    {
        var first = Math.Max(afterId + 1, Math.Max(_lastId - capacity + 1, 1));
        var count = (int)Math.Clamp(_lastId - first + 1, 0, limit);
        var messages = new List<ChatMessage>(count);
        for (var id = first; id < first + count; id++) messages.Add(_ring[id % capacity]);
        return messages;
    }
}
