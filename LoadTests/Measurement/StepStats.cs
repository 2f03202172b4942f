using HdrHistogram;

namespace Chat.LoadTests.Measurement;

/// <summary>
/// Counters and the latency histogram of one named step (NBomber's step statistics): ok and failed counts, bytes in
/// and out, latency in microseconds. Recording is thread-safe; <see cref="TakeInterval"/> hands over what the
/// interval gathered and folds it into the totals.
/// </summary>
internal sealed class StepStats(string name)
{
    private readonly Lock _lock = new();
    private readonly LongHistogram _total = LatencyHistogram.Create();
    private LongHistogram _interval = LatencyHistogram.Create();
    private long _ok, _failed, _bytesIn, _bytesOut;
    private long _totalOk, _totalFailed, _totalBytesIn, _totalBytesOut;

    public string Name { get; } = name;

    public void Ok(long latencyMicroseconds, long bytesIn = 0, long bytesOut = 0)
    {
        lock (_lock)
        {
            _ok++;
            _bytesIn += bytesIn;
            _bytesOut += bytesOut;
            LatencyHistogram.Record(_interval, latencyMicroseconds);
        }
    }

    /// <summary>An ok without a latency (a message sent: its latency is measured where it arrives).</summary>
    public void Count(long bytesIn = 0, long bytesOut = 0)
    {
        lock (_lock)
        {
            _ok++;
            _bytesIn += bytesIn;
            _bytesOut += bytesOut;
        }
    }

    public void Fail()
    {
        lock (_lock) _failed++;
    }

    public StepInterval TakeInterval(double seconds)
    {
        LongHistogram taken;
        long ok, failed, bytesIn, bytesOut;
        lock (_lock)
        {
            taken = _interval;
            _interval = LatencyHistogram.Create();
            (ok, failed, bytesIn, bytesOut) = (_ok, _failed, _bytesIn, _bytesOut);
            (_ok, _failed, _bytesIn, _bytesOut) = (0, 0, 0, 0);
            _totalOk += ok;
            _totalFailed += failed;
            _totalBytesIn += bytesIn;
            _totalBytesOut += bytesOut;
            _total.Add(taken);
        }

        return new StepInterval(Name, seconds, ok, failed, bytesIn, bytesOut, LatencySummary.From(taken));
    }

    /// <summary>Latency of the whole run so far, including the interval in progress.</summary>
    public LatencySummary LatencySoFar()
    {
        lock (_lock)
        {
            var both = LatencyHistogram.Merge([_total, _interval]);
            return LatencySummary.From(both);
        }
    }

    /// <summary>The whole run so far; call after a final <see cref="TakeInterval"/>.</summary>
    public StepInterval Total(double seconds)
    {
        lock (_lock) return new StepInterval(Name, seconds, _totalOk, _totalFailed, _totalBytesIn, _totalBytesOut, LatencySummary.From(_total));
    }
}
