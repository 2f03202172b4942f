namespace Chat.Reactor;

public enum TransportEventKind : byte
{
    /// <summary>A connection was accepted. Always the first event of a connection.</summary>
    Opened,
    /// <summary>Bytes arrived: <see cref="TransportEvent.Buffer"/> is rented from <see cref="BufferPool.Shared"/> and owned by the receiver.</summary>
    Received,
    /// <summary>The connection is gone. Always the last event of a connection; nothing more will be received.</summary>
    Closed,
}
