namespace Chat.Pipeline.Items;

/// <summary>
/// What an item of the data path carries. Closed travels through every stage behind the connection's data, so each
/// stage frees what it holds for the connection in order with it (and broadcast sees it after the connection's last
/// message). The join does not: the handshake posts it straight to broadcast (<see cref="JoinChannel"/>), and each
/// data stage makes its state for a connection on the connection's first item.
/// </summary>
internal enum ItemKind : byte
{
    /// <summary>Raw bytes of a WebSocket connection.</summary>
    Data,
    /// <summary>A complete, parsed HTTP request head.</summary>
    Request,
    /// <summary>A request that gets an error status and a close without further parsing.</summary>
    Reject,
    /// <summary>Part of a frame's payload, still masked.</summary>
    FramePart,
    /// <summary>A protocol violation found by the frame decoder.</summary>
    Violation,
    /// <summary>A complete, unmasked, UTF-8 valid text message.</summary>
    Message,
    /// <summary>A valid chat message.</summary>
    Chat,
    /// <summary>The connection is gone; each stage frees what it holds for it.</summary>
    Closed,
    /// <summary>A signalling message (webRTC-*), encoded as the frame relayed to the rest of the room; never stored.</summary>
    Signal,
    /// <summary>
    /// A close frame the server sends once every message the connection sent before it is stored and echoed: it
    /// travels behind them to the broadcast stage, which queues it after their frames.
    /// </summary>
    CloseAfter,
}
