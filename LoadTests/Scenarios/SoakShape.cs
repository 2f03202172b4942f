using Chat.LoadTests.Runner;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// The load of a soak: a fan-out that runs throughout, churning clients, and per cycle a few slow readers, one
/// connection flood up to <see cref="FloodConnections"/>, then half-open connections and oversized frames, then a rest.
/// </summary>
internal sealed record SoakShape(FanoutShape Fanout, int Churners, int SlowReaders, int FloodConnections, int HalfOpen, int Oversized, TimeSpan Rest)
{
    /// <summary>
    /// Twice the soak's default cap, so the flood reaches the cap even when it is raised; with the rest of the run's
    /// sockets it stays an order of magnitude below the runner's 20,000 hard descriptor limit.
    /// </summary>
    public const int DefaultFloodConnections = 2000;

    public static SoakShape From(RunOptions options)
    {
        var clients = options.Clients ?? 40;
        var flood = options.FloodConnections ?? DefaultFloodConnections;
        var fanout = new FanoutShape(
            clients,
            Math.Min(options.Senders ?? 4, clients),
            options.Rate ?? 40,
            options.MessageSize ?? 64,
            options.Duration ?? TimeSpan.FromSeconds(60),
            options.Ramp ?? TimeSpan.FromSeconds(2));
        // The half-open and oversized floods scale with the connection flood: a tenth and a hundredth of it per cycle.
        return new SoakShape(fanout, Math.Max(2, clients / 5), options.Slow ?? 4, flood, Math.Max(3, flood / 10), Math.Max(1, flood / 100), TimeSpan.FromSeconds(1));
    }
}
