using Microsoft.Extensions.Logging;

namespace Chat.Pipeline;

internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "storing a batch of {Count} messages failed (attempt {Attempt}), retrying in {DelayMs} ms: {Error}")]
    public static partial void PersistFailed(ILogger logger, int count, int attempt, int delayMs, string error);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "the store answers again; stored the batch of {Count} messages after {Attempts} attempts")]
    public static partial void PersistRecovered(ILogger logger, int count, int attempts);

    [LoggerMessage(EventId = 206, Level = LogLevel.Error, Message = "stopped with the store still failing: a batch of {Count} messages was not stored and not broadcast")]
    public static partial void PersistAbandoned(ILogger logger, int count);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "replay for connection {ConnectionId} failed (attempt {Attempt}): {Error}")]
    public static partial void ReplayFailed(ILogger logger, long connectionId, int attempt, string error);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "closed slow consumer {ConnectionId} ({Remote}): send queue over the high-water mark")]
    public static partial void SlowConsumer(ILogger logger, long connectionId, string remote);

    [LoggerMessage(EventId = 214, Level = LogLevel.Debug, Message = "closing connection {ConnectionId} ({Status}): {Why}")]
    public static partial void Closing(ILogger logger, long connectionId, int status, string why);

    [LoggerMessage(EventId = 204, Level = LogLevel.Error, Message = "stage {Stage} failed")]
    public static partial void StageFailed(ILogger logger, string stage, Exception exception);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "reading other nodes' messages failed, retrying in {DelayMs} ms: {Error}")]
    public static partial void ClusterReadFailed(ILogger logger, int delayMs, string error);

    [LoggerMessage(EventId = 207, Level = LogLevel.Error, Message = "handling connection {ConnectionId} failed in stage {Stage}: that connection is closed, the stage goes on ({Suppressed} such failures since the last line were not logged)")]
    public static partial void ConnectionFailed(ILogger logger, string stage, long connectionId, long suppressed, Exception exception);

    [LoggerMessage(EventId = 209, Level = LogLevel.Warning, Message = "client {Address} in the last {Seconds} s: {Summary}")]
    public static partial void Abuse(ILogger logger, string address, int seconds, string summary);

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "{Count} more client addresses misbehaved in the last {Seconds} s (not listed one by one)")]
    public static partial void AbuseUnlisted(ILogger logger, int count, int seconds);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "writing this node's presence to the store failed, retrying at the next round ({Suppressed} such failures since the last line were not logged): {Error}")]
    public static partial void PresenceWriteFailed(ILogger logger, long suppressed, string error);

    [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "reading the other nodes' presence from the store failed, retrying in a second ({Suppressed} such failures since the last line were not logged): {Error}")]
    public static partial void PresenceReadFailed(ILogger logger, long suppressed, string error);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "could not relay a signal to the other nodes ({Suppressed} such failures since the last line were not logged): {Error}")]
    public static partial void SignalPublishFailed(ILogger logger, long suppressed, string error);
}
