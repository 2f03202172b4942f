namespace Chat.LoadTests.Scenarios;

/// <summary>What one fan-out round saw: counts from every receiver's checks, and CPU spent over the send-and-drain window.</summary>
internal sealed record FanoutOutcome(
    int Connected,
    long Sent,
    long Expected,
    long Delivered,
    long Losses,
    long Duplicates,
    long OutOfOrder,
    long IdOrderViolations,
    int ClosedByServer,
    double WindowSeconds,
    TimeSpan ServerCpu,
    TimeSpan ClientCpu,
    long ServerWriteCalls)
{
    public double DeliveredPerSecond => WindowSeconds > 0 ? Delivered / WindowSeconds : 0;

    public double ServerCpuMicrosPerDelivery => Delivered > 0 ? ServerCpu.TotalMicroseconds / Delivered : 0;

    /// <summary>
    /// write/writev calls the server made per delivery (syscw: send, sendto and sendmsg are not counted, so it says
    /// nothing of Kestrel or Bun): below 1 when frames for one receiver leave together.
    /// </summary>
    public double ServerWriteCallsPerDelivery => Delivered > 0 ? (double)ServerWriteCalls / Delivered : 0;

    public double ClientCpuMicrosPerDelivery => Delivered > 0 ? ClientCpu.TotalMicroseconds / Delivered : 0;
}
