namespace Chat.LoadTests.Scenarios;

/// <summary>
/// What one replay round saw: the tally of ids, wire bytes, and CPU and time from the first handshake to the last
/// replayed message of the slowest client.
/// </summary>
internal sealed record ReplayOutcome(
    int Clients,
    int Connected,
    ReplayTally Tally,
    long WireBytes,
    long Compressed,
    int ClosedByServer,
    TimeSpan TimeToLast,
    TimeSpan ServerCpu,
    TimeSpan ClientCpu,
    long ServerWriteCalls)
{
    public long Replayed => Tally.Received;

    public double ReplayedPerSecond => TimeToLast > TimeSpan.Zero ? Replayed / TimeToLast.TotalSeconds : 0;

    public double WireBytesPerMessage => Replayed > 0 ? (double)WireBytes / Replayed : 0;

    public double CompressedPercent => Replayed > 0 ? 100.0 * Compressed / Replayed : 0;

    public double ServerCpuMicrosPerMessage => Replayed > 0 ? ServerCpu.TotalMicroseconds / Replayed : 0;

    public double ServerWriteCallsPerMessage => Replayed > 0 ? (double)ServerWriteCalls / Replayed : 0;

    public double ClientCpuMicrosPerMessage => Replayed > 0 ? ClientCpu.TotalMicroseconds / Replayed : 0;
}
