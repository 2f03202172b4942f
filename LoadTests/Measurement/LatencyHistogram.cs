using HdrHistogram;

namespace Chat.LoadTests.Measurement;

/// <summary>The one histogram shape of the runner: 1 µs to 10 minutes, 3 significant digits.</summary>
internal static class LatencyHistogram
{
    public const long HighestMicroseconds = 600_000_000;

    public static LongHistogram Create() => new(1, HighestMicroseconds, 3);

    /// <summary>Clamps into the trackable range, so that one absurd sample is counted at the top, not thrown.</summary>
    public static void Record(HistogramBase histogram, long microseconds) =>
        histogram.RecordValue(Math.Clamp(microseconds, 1, HighestMicroseconds));

    /// <summary>The sum of several histograms (per-client or per-interval ones).</summary>
    public static LongHistogram Merge(IEnumerable<HistogramBase> parts)
    {
        var total = Create();
        foreach (var part in parts) total.Add(part);
        return total;
    }
}
