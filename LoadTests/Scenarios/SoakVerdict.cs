using Chat.LoadTests.Measurement;

namespace Chat.LoadTests.Scenarios;

/// <summary>The soak's figures and checks: what the floods met, and whether any resource still grows after warm-up.</summary>
internal static class SoakVerdict
{
    private const double MiB = 1024 * 1024;

    // Chat must be served again this soon after a flood's connections close. The server frees a slot when it reads the
    // FIN, well under a second on a quiet box; five allows for a shared two-core machine.
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Growth allowed over the second half, per resource: the larger of an absolute floor and a fraction of the level
    /// at warm-up's end. The floors are what a healthy server's resting level moves by between cycles: the GC keeps
    /// or returns whole regions of memory (4 MiB each) as it likes, and the heap after a collection depends on when
    /// in the cycle that collection fell; churning clients and sockets the server is still closing move the descriptor
    /// count by a few dozen; the thread pool adds threads when a loaded machine starves it and retires them once idle
    /// (the floor rose by 9 for a minute in a 10-minute run on the shared box). A leak of one descriptor or one thread
    /// per cycle, or of a few KiB per flood connection, crosses them within a few dozen cycles.
    /// </summary>
    internal static readonly (string Name, string Unit, double Absolute, double Relative, Func<ResourceSample, double?> Value)[] Resources =
    [
        ("server RSS", "MiB", 24, 0.10, s => s.RssBytes / MiB),
        ("server GC heap", "MiB", 24, 0.25, s => s.ManagedBytes / MiB),
        ("server open descriptors", "fds", 32, 0.10, s => s.OpenFiles),
        ("server threads", "threads", 12, 0.10, s => s.Threads),
    ];

    public static void ReportFloods(ScenarioContext context, SoakTally tally, IReadOnlyDictionary<string, double>? before, IReadOnlyDictionary<string, double>? after)
    {
        context.Figure("cycles", tally.Cycles, "cycles");
        context.Figure("flood: connections held at most", tally.MaxFloodHeld, "connections");
        context.Figure("flood: connections held in all", tally.FloodHeld, "connections");
        context.Figure("flood: refused with 503", tally.FloodRefused503, "connections");
        context.Figure("flood: closed at once without an answer", tally.FloodClosedAtOnce, "connections");
        context.Figure("flood: connect errors", tally.FloodErrors, "connections");
        context.Figure("flood: slowest recovery", Math.Round(tally.MaxRecoveryMicros / 1000.0, 1), "ms");
        context.Figure("half-open opened", tally.HalfOpened, "connections");
        context.Figure("half-open closed by the server", tally.HalfOpenClosed, "connections");
        context.Figure("oversized frames sent", tally.OversizedSent, "frames");
        context.Figure("oversized frames closed with 1009", tally.Oversized1009, "frames");
        context.Figure("slow readers opened", tally.SlowReaders, "clients");
        if (before is not null && after is not null)
        {
            context.Figure("slow consumers dropped (server /metrics)", Delta("chat_slow_consumers_dropped_total"), "clients");
            context.Figure("connections rejected (server /metrics)", Delta("chat_connections_rejected_total"), "connections");
        }

        context.Check("every flood reached the connection cap", tally.Floods > 0 && tally.FloodsAtCap == tally.Floods,
            $"{tally.FloodsAtCap} of {tally.Floods} refused a connection (503: {tally.FloodRefused503}, closed at once: {tally.FloodClosedAtOnce}, other status: {tally.FloodOtherStatus}); raise --flood-connections above the cap if 0");
        context.Check($"chat served again within {RecoveryBound.TotalSeconds:0} s of every flood",
            tally.RecoveryFailures == 0 && tally.MaxRecoveryMicros <= RecoveryBound.TotalMicroseconds,
            $"slowest {tally.MaxRecoveryMicros / 1000.0:0.#} ms, {tally.RecoveryFailures} never");
        context.Check("the server closed every half-open connection", tally.HalfOpened > 0 && tally.HalfOpenClosed == tally.HalfOpened,
            $"{tally.HalfOpenClosed} of {tally.HalfOpened} ({tally.HalfOpenErrors} connect errors)");
        context.Check("every oversized frame closed with 1009", tally.OversizedSent > 0 && tally.Oversized1009 == tally.OversizedSent,
            $"{tally.Oversized1009} of {tally.OversizedSent} ({tally.OversizedOtherClose} other or no close, {tally.OversizedRefused} refused, {tally.OversizedErrors} errors)");

        double Delta(string name) => after.GetValueOrDefault(name) - before.GetValueOrDefault(name);
    }

    public static void ReportResources(ScenarioContext context, IReadOnlyList<ResourceSample> samples, IReadOnlyList<double> windows)
    {
        context.Figure("resource samples", samples.Count, "samples");
        foreach (var (name, unit, absolute, relative, value) in Resources)
        {
            var series = samples.Where(s => value(s) is not null).Select(s => (s.ElapsedSeconds, value(s)!.Value)).ToList();
            if (series.Count > 0)
            {
                context.Figure($"{name} at start", Math.Round(series[0].Item2, 1), unit);
                context.Figure($"{name} at end", Math.Round(series[^1].Item2, 1), unit);
                context.Figure($"{name} peak", Math.Round(series.Max(p => p.Item2), 1), unit);
            }

            var trend = ResourceTrend.Measure(name, unit, series, windows, absolute, relative);
            context.Figure($"{name} resting at warm-up end", Math.Round(trend.First, 1), unit);
            context.Figure($"{name} resting at end", Math.Round(trend.Last, 1), unit);
            context.Figure($"{name} slope, second half", Math.Round(trend.SlopePerMinute, 3), unit + "/min");
            context.Check($"{name} does not grow after warm-up", trend.Passed,
                $"{trend.Growth:0.##} {unit} over the second half (tolerance {trend.Tolerance:0.##}), from {trend.Points} cycle floors");
        }
    }
}
