namespace Chat.Pipeline.Sessions;

/// <summary>What a client did that the abuse report counts.</summary>
internal enum AbuseKind : byte
{
    /// <summary>A WebSocket protocol violation that closed the connection (1002, 1003, 1007).</summary>
    ProtocolError,
    /// <summary>An HTTP request or handshake refused (400, 403, 405, 408, 426, 431, 503, 505).</summary>
    RefusedRequest,
    /// <summary>A close for a limit: message rate, control frames, frame size (1008, 1009).</summary>
    LimitClose,
}
