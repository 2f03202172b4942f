namespace Chat.Pipeline.Items;

/// <summary>What an item carries. Join and Closed travel through every stage so each sees them in order with the data.</summary>
internal enum ItemKind : byte
{
    /// <summary>Raw bytes of a WebSocket connection.</summary>
    Data,
    /// <summary>A complete, parsed HTTP request head.</summary>
    Request,
    /// <summary>A request that gets an error status and a close without further parsing.</summary>
    Reject,
    /// <summary>A connection became a WebSocket chat member (handshake done).</summary>
    Join,
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
