namespace Chat.Pipeline.Metrics;

/// <summary>A Prometheus histogram with fixed upper bounds; lock-free, allocation-free to observe.</summary>
internal sealed class Histogram
{
    private readonly double[] _bounds;
    private readonly long[] _counts;
    private long _count;
    private long _sumMicros;

    public Histogram(params double[] upperBounds)
    {
        _bounds = upperBounds;
        _counts = new long[upperBounds.Length];
    }

    public void Observe(double value)
    {
        for (var i = 0; i < _bounds.Length; i++)
        {
            if (value > _bounds[i]) continue;
            Interlocked.Increment(ref _counts[i]);
            break;
        }
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicros, (long)(value * 1_000_000));
    }

    public void WriteTo(PrometheusWriter writer, string name, string help)
    {
        writer.Header(name, help, "histogram");
        long cumulative = 0;
        for (var i = 0; i < _bounds.Length; i++)
        {
            cumulative += Volatile.Read(ref _counts[i]);
            writer.Bucket(name, _bounds[i], cumulative);
        }
        var count = Volatile.Read(ref _count);
        writer.Bucket(name, double.PositiveInfinity, count);
        writer.Sample(name + "_sum", Volatile.Read(ref _sumMicros) / 1_000_000.0);
        writer.Sample(name + "_count", count);
    }
}
