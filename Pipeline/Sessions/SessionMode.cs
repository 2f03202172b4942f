namespace Chat.Pipeline.Sessions;

/// <summary>What the parse-header stage does with a connection's next bytes.</summary>
internal enum SessionMode : byte
{
    /// <summary>Reading HTTP request heads.</summary>
    Http,
    /// <summary>The head asked for /websocket: every later byte belongs to the WebSocket stages.</summary>
    WebSocket,
    /// <summary>The connection is being closed after an answer; later bytes are dropped.</summary>
    Done,
}
