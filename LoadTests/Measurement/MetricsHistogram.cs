using System.Globalization;

namespace Chat.LoadTests.Measurement;

/// <summary>
/// A Prometheus histogram read from /metrics, or the difference of two readings (what one run added). Quantiles are
/// the upper bound of the bucket they fall in, which is all a bucketed histogram knows.
/// </summary>
internal sealed record MetricsHistogram(IReadOnlyList<(double UpperBound, long Cumulative)> Buckets, double Sum, long Count)
{
    private const string BucketPrefix = "_bucket{le=\"";

    /// <summary>The histogram <paramref name="name"/> in a scrape; null when the scrape has none.</summary>
    public static MetricsHistogram? From(IReadOnlyDictionary<string, double>? samples, string name)
    {
        if (samples is null || !samples.TryGetValue(name + "_count", out var count)) return null;
        var prefix = name + BucketPrefix;
        var buckets = new List<(double, long)>();
        foreach (var (series, value) in samples)
        {
            if (!series.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var bound = series.AsSpan(prefix.Length).TrimEnd("\"}");
            var upper = bound.SequenceEqual("+Inf") ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture);
            buckets.Add((upper, (long)value));
        }

        buckets.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return new MetricsHistogram(buckets, samples.GetValueOrDefault(name + "_sum"), (long)count);
    }

    /// <summary>What was observed after <paramref name="before"/> (same buckets; null before means from zero).</summary>
    public MetricsHistogram Since(MetricsHistogram? before)
    {
        if (before is null) return this;
        var buckets = Buckets.Select(b => (b.UpperBound, b.Cumulative - before.Buckets.FirstOrDefault(o => o.UpperBound == b.UpperBound).Cumulative)).ToList();
        return new MetricsHistogram(buckets, Sum - before.Sum, Count - before.Count);
    }

    public double Mean => Count == 0 ? 0 : Sum / Count;

    /// <summary>Upper bound of the bucket holding quantile <paramref name="q"/> (0..1); NaN when empty.</summary>
    public double Quantile(double q)
    {
        if (Count == 0) return double.NaN;
        var rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        foreach (var (upper, cumulative) in Buckets)
        {
            if (cumulative >= rank) return upper;
        }

        return double.PositiveInfinity;
    }

    /// <summary>Observations per bucket (not cumulative), empty buckets left out.</summary>
    public IEnumerable<(double UpperBound, long Count)> Counts()
    {
        long previous = 0;
        foreach (var (upper, cumulative) in Buckets)
        {
            if (cumulative > previous) yield return (upper, cumulative - previous);
            previous = cumulative;
        }
    }
}
