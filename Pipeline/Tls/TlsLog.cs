using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Tls;

internal static partial class TlsLog
{
    // Debug: scanners and plain-HTTP clients fail handshakes all day; one line each would flood the log.
    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "TLS handshake with connection {ConnectionId} ({Remote}) failed: {Error}")]
    public static partial void HandshakeFailed(ILogger logger, long connectionId, string remote, string error);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "connection {ConnectionId} ({Remote}) sent plain HTTP to the TLS port: answered 400")]
    public static partial void PlainHttp(ILogger logger, long connectionId, string remote);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "TLS read on connection {ConnectionId} failed: {Error}")]
    public static partial void ReadFailed(ILogger logger, long connectionId, string error);
}
