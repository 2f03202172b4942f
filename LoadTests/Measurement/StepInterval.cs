namespace Chat.LoadTests.Measurement;

/// <summary>What one step did in one reporting interval (or, for the totals, in the whole run).</summary>
internal sealed record StepInterval(string Step, double Seconds, long Ok, long Failed, long BytesIn, long BytesOut, LatencySummary Latency)
{
    public double OkPerSecond => Seconds > 0 ? Ok / Seconds : 0;
}
