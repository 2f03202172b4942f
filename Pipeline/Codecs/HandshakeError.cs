namespace Chat.Pipeline.Codecs;

/// <summary>Why an upgrade request was refused (RFC 6455 section 4.2.1): 400, except BadVersion (426).</summary>
internal enum HandshakeError
{
    None,
    NotGet,
    NotHttp11,
    MissingUpgrade,
    MissingConnectionUpgrade,

    /// <summary>426 Upgrade Required with Sec-WebSocket-Version: 13.</summary>
    BadVersion,
    MissingKey,
    BadKey,
}
