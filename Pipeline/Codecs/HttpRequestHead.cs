namespace Chat.Pipeline.Codecs;

/// <summary>One parsed request head. Ranges index into the head bytes given to <see cref="HttpHeadParser.Parse"/>.</summary>
internal struct HttpRequestHead
{
    public HttpMethod Method;
    public Range MethodToken;
    public Range Path;

    /// <summary>The query without '?', empty if none.</summary>
    public Range Query;

    /// <summary>0 or 1 for HTTP/1.x (1.2 and up are read as 1.1, RFC 9110 section 6.2).</summary>
    public byte VersionMinor;

    /// <summary>Header values with surrounding whitespace trimmed; the first occurrence; default when absent.</summary>
    public Range Host, Upgrade, Connection, SecWebSocketKey, SecWebSocketVersion, Origin;
    public bool HasHost, HasUpgrade, HasSecWebSocketKey, HasSecWebSocketVersion, HasOrigin;

    /// <summary>The first Sec-WebSocket-Extensions header (the offers of RFC 7692); default when absent.</summary>
    public Range SecWebSocketExtensions;
    public bool HasSecWebSocketExtensions;

    /// <summary>An Upgrade header holds the token "websocket" (case-insensitive, comma list, several headers).</summary>
    public bool UpgradeWebSocket;

    /// <summary>A Connection header holds the token "upgrade" (case-insensitive, comma list, several headers).</summary>
    public bool ConnectionUpgrade;

    /// <summary>A Connection header is present (<see cref="Connection"/> is its first occurrence).</summary>
    public bool HasConnection;
    public bool ConnectionClose, ConnectionKeepAlive;

    /// <summary>-1 when absent.</summary>
    public long ContentLength;

    /// <summary>A Transfer-Encoding header is present.</summary>
    public bool Chunked;

    /// <summary>HTTP/1.1 unless Connection: close; HTTP/1.0 only with Connection: keep-alive (RFC 9112 section 9.3).</summary>
    public readonly bool KeepAlive => !ConnectionClose && (VersionMinor >= 1 || ConnectionKeepAlive);
}
