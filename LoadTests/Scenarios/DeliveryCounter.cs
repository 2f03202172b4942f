namespace Chat.LoadTests.Scenarios;

/// <summary>Deliveries counted across receivers, so that a scenario can wait until every expected message arrived.</summary>
internal sealed class DeliveryCounter
{
    private long _delivered;

    public long Count => Interlocked.Read(ref _delivered);

    public void Delivered() => Interlocked.Increment(ref _delivered);

    /// <summary>Waits until <paramref name="expected"/> deliveries arrived or <paramref name="within"/> passed; true when all did.</summary>
    public async Task<bool> WaitForAsync(Func<long> expected, TimeSpan within, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + within;
        while (Count < expected())
        {
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(20, cancellation);
        }

        return true;
    }
}
