namespace Chat.Reactor;

/// <summary>What the reactor tells the first pipeline stage. Events of one connection arrive in order.</summary>
public readonly struct TransportEvent
{
    private TransportEvent(TransportEventKind kind, Connection connection, byte[]? buffer, int count)
    {
        Kind = kind;
        Connection = connection;
        Buffer = buffer;
        Count = count;
    }

    public TransportEventKind Kind { get; }
    public Connection Connection { get; }
    /// <summary>For <see cref="TransportEventKind.Received"/>: a buffer rented from <see cref="BufferPool.Shared"/>; the consumer returns it.</summary>
    public byte[]? Buffer { get; }
    public int Count { get; }

    public static TransportEvent Opened(Connection connection) => new(TransportEventKind.Opened, connection, null, 0);
    public static TransportEvent Received(Connection connection, byte[] buffer, int count) => new(TransportEventKind.Received, connection, buffer, count);
    public static TransportEvent Closed(Connection connection) => new(TransportEventKind.Closed, connection, null, 0);
}
