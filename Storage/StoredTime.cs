namespace Chat.Storage;

/// <summary>Timestamps as both stores keep them: UTC, whole milliseconds.</summary>
internal static class StoredTime
{
    /// <summary>
    /// UTC truncated to the millisecond. An unspecified kind is taken as UTC (the contract says the pipeline passes
    /// UTC); a local time is converted.
    /// </summary>
    public static DateTime Normalize(DateTime timestamp)
    {
        var utc = timestamp.Kind switch
        {
            DateTimeKind.Utc => timestamp,
            DateTimeKind.Local => timestamp.ToUniversalTime(),
            _ => DateTime.SpecifyKind(timestamp, DateTimeKind.Utc),
        };
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMillisecond));
    }

    public static long ToUnixMilliseconds(DateTime timestamp) =>
        (Normalize(timestamp).Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    public static DateTime FromUnixMilliseconds(long milliseconds) =>
        new(DateTime.UnixEpoch.Ticks + milliseconds * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}
