using Microsoft.Extensions.Logging;

namespace Chat.Storage;

/// <summary>The storage log events, with fixed ids.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "{Store}: schema migrated from version {From} to {To}")]
    public static partial void SchemaMigrated(ILogger logger, string store, int from, int to);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "{Store}: retention pruned {Count} messages")]
    public static partial void RetentionPruned(ILogger logger, string store, long count);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "{Store}: retention pruning failed; next try in {Interval}")]
    public static partial void RetentionFailed(ILogger logger, Exception exception, string store, TimeSpan interval);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "{Store}: append failed; the connection is reopened on the next append")]
    public static partial void AppendFailed(ILogger logger, Exception exception, string store);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "{Store}: pruning old batch keys failed")]
    public static partial void BatchKeyPruneFailed(ILogger logger, Exception exception, string store);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "{Store}: journal mode is {Mode}, not WAL; readers and the writer will block each other")]
    public static partial void NotWal(ILogger logger, string store, string mode);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "commit feed listening for other nodes' commits")]
    public static partial void FeedConnected(ILogger logger);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "commit feed lost its connection, reconnecting in {DelayMs} ms: {Error}")]
    public static partial void FeedLost(ILogger logger, int delayMs, string error);
}
