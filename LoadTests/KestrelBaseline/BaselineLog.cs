namespace Chat.LoadTests.KestrelBaseline;

/// <summary>The baseline's log events (warnings and above are shown by default).</summary>
internal static partial class BaselineLog
{
    [LoggerMessage(1, LogLevel.Warning, "Storing a message in {Store} failed")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string store);

    [LoggerMessage(2, LogLevel.Information, "Kestrel baseline on {Store}")]
    public static partial void Started(ILogger logger, string store);
}
