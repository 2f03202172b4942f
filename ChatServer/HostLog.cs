using Microsoft.Extensions.Logging;

namespace Chat.Server;

internal static partial class HostLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "node {Node} started on {EndPoint} with the {Backend} reactor, store: {Store}")]
    public static partial void Started(ILogger logger, string node, string endPoint, string backend, string store);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "stopping: draining the pipeline (deadline {Seconds} s)")]
    public static partial void Stopping(ILogger logger, double seconds);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "stopped (drained: {Drained})")]
    public static partial void Stopped(ILogger logger, bool drained);

    [LoggerMessage(EventId = 4, Level = LogLevel.Critical, Message = "a pipeline stage failed; the server exits")]
    public static partial void Fatal(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "CHAT_STORE=memory: messages are kept in memory only (benchmark only: not durable, lost on exit)")]
    public static partial void MemoryStore(ILogger logger);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "connections capped at {Cap} (0: no cap); open-file limit {Limit}, {Reserve} kept for the process")]
    public static partial void ConnectionCap(ILogger logger, int cap, long limit, long reserve);

    [LoggerMessage(EventId = 6, Level = LogLevel.Critical, Message = "the stop overran its {Seconds} s deadline: exiting now with code {ExitCode}")]
    public static partial void DeadlinePassed(ILogger logger, double seconds, int exitCode);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "TLS certificate {Subject} (expires {NotAfter:u}, thumbprint {Thumbprint}) loaded from {Path}")]
    public static partial void TlsLoaded(ILogger logger, string subject, DateTime notAfter, string thumbprint, string path);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "SIGHUP: the TLS pair was not reloaded, new handshakes keep the old certificate: {Error}")]
    public static partial void TlsReloadFailed(ILogger logger, string error);
}
