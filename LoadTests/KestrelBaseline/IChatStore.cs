namespace Chat.LoadTests.KestrelBaseline;

/// <summary>Where the baseline keeps messages: in memory (no store) or one row per message in PostgreSQL.</summary>
internal interface IChatStore : IAsyncDisposable
{
    string Description { get; }

    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Stores one message and returns it with its id. Callers append one at a time (see <see cref="ChatRoom"/>).</summary>
    Task<ChatMessage> AppendAsync(string username, string comment, DateTime timestamp, CancellationToken cancellationToken);

    /// <summary>The latest <paramref name="limit"/> messages, oldest first.</summary>
    Task<IReadOnlyList<ChatMessage>> ReadLatestAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Messages with id greater than <paramref name="afterId"/>, ascending, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken);

    Task<bool> PingAsync(CancellationToken cancellationToken);
}
