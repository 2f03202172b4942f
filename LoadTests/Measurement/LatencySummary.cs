using HdrHistogram;

namespace Chat.LoadTests.Measurement;

/// <summary>Percentiles of one histogram in milliseconds (recorded in microseconds).</summary>
internal sealed record LatencySummary(long Count, double P50, double P75, double P95, double P99, double P999, double Max, double Mean)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0, 0, 0);

    public static LatencySummary From(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0) return Empty;
        return new LatencySummary(
            histogram.TotalCount,
            Ms(histogram.GetValueAtPercentile(50)),
            Ms(histogram.GetValueAtPercentile(75)),
            Ms(histogram.GetValueAtPercentile(95)),
            Ms(histogram.GetValueAtPercentile(99)),
            Ms(histogram.GetValueAtPercentile(99.9)),
            Ms(histogram.GetMaxValue()),
            histogram.GetMean() / 1000.0);
    }

    private static double Ms(long microseconds) => microseconds / 1000.0;
}
