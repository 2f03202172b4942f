namespace Chat.LoadTests.Runner;

/// <summary>Open-model pacing at a fixed rate: message k is due at k / rate, whatever happened to the ones before.</summary>
internal readonly record struct SendSchedule(double PerSecond)
{
    public TimeSpan DueAt(long index) => TimeSpan.FromSeconds(index / PerSecond);

    /// <summary>Messages due by <paramref name="elapsed"/> (message 0 is due at once).</summary>
    public long DueBy(TimeSpan elapsed) => elapsed < TimeSpan.Zero ? 0 : (long)Math.Floor(elapsed.TotalSeconds * PerSecond) + 1;
}
