using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Chat.Reactor;

internal static partial class ReactorLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "accept failed: {Error}; accepting pauses {DelayMs} ms ({Suppressed} more such failures not logged)")]
    public static partial void AcceptFailed(ILogger logger, SocketError error, double delayMs, long suppressed);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "connection refused: {Open} open, at the cap of {Cap} ({Suppressed} more refusals not logged)")]
    public static partial void Refused(ILogger logger, int open, int cap, long suppressed);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "connection refused: its descriptor {Descriptor} is within {Headroom} of the open-file limit, kept free for the process ({Suppressed} more refusals not logged)")]
    public static partial void RefusedInHeadroom(ILogger logger, long descriptor, int headroom, long suppressed);
}
