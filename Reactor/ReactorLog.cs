using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Chat.Reactor;

internal static partial class ReactorLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "accept failed: {Error}; the listener keeps going")]
    public static partial void AcceptFailed(ILogger logger, SocketError error);
}
