namespace Chat.Server;

/// <summary>Which message store the host opens (<c>CHAT_STORE</c>).</summary>
internal enum StoreKind
{
    /// <summary>PostgreSQL when <c>CHAT_POSTGRES</c> is set, else the embedded SQLite store.</summary>
    Auto,

    /// <summary>Benchmark only: <see cref="Chat.Storage.InMemoryMessageStore"/>, not durable, lost on exit.</summary>
    Memory,
}
