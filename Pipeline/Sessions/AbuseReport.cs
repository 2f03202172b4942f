using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Chat.Reactor;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// Abuse is logged without a log storm: each protocol error, refused request and limit close is counted per source
/// address, and once a period every address that misbehaved gets one summary line (counts per kind and the last
/// reason of each). Addresses past <see cref="LinesPerPeriod"/> in one period are summed into one more line, through
/// a <see cref="LogLimiter"/>. A flood from one address is therefore one line a period, and from a million addresses
/// a few dozen. Thread-safe; the keep-alive sweeper flushes it.
/// </summary>
internal sealed class AbuseReport(ILogger logger, TimeSpan? period = null)
{
    private const int LinesPerPeriod = 20;

    private readonly ConcurrentDictionary<IPAddress, Tally> _tallies = new();
    private readonly long _periodTicks = (long)((period ?? TimeSpan.FromSeconds(10)).TotalSeconds * Stopwatch.Frequency);
    private readonly LogLimiter _lines = new(LinesPerPeriod, period ?? TimeSpan.FromSeconds(10));
    private long _periodStart = Stopwatch.GetTimestamp();

    /// <summary>The pipeline's logger, for the unmask stage, which has none of its own, to log a slow consumer's drop.</summary>
    public ILogger Logger => logger;

    public void Record(Connection connection, AbuseKind kind, string reason)
    {
        var tally = _tallies.GetOrAdd(connection.RemoteEndPoint.Address, static _ => new Tally());
        lock (tally)
        {
            tally.Counts[(int)kind]++;
            tally.LastReasons[(int)kind] = reason;
        }
    }

    /// <summary>Writes the period's summary lines once the period is over (called about once a second).</summary>
    public void FlushIfDue(long now)
    {
        var seconds = (now - _periodStart) / (double)Stopwatch.Frequency;
        if (now - _periodStart < _periodTicks) return;
        _periodStart = now;
        var unlisted = 0;
        foreach (var address in _tallies.Keys)
        {
            if (!_tallies.TryRemove(address, out var tally)) continue;
            string summary;
            lock (tally) summary = tally.Describe();
            if (_lines.TryAcquire(out _)) PipelineLog.Abuse(logger, address.ToString(), (int)Math.Round(seconds), summary);
            else unlisted++;
        }
        if (unlisted > 0) PipelineLog.AbuseUnlisted(logger, unlisted, (int)Math.Round(seconds));
    }

    private sealed class Tally
    {
        public readonly long[] Counts = new long[3];
        public readonly string?[] LastReasons = new string?[3];

        public string Describe()
        {
            var parts = new List<string>(3);
            if (Counts[0] > 0) parts.Add($"{Counts[0]} protocol errors (last: {LastReasons[0]})");
            if (Counts[1] > 0) parts.Add($"{Counts[1]} refused requests (last: {LastReasons[1]})");
            if (Counts[2] > 0) parts.Add($"{Counts[2]} limit closes (last: {LastReasons[2]})");
            return string.Join(", ", parts);
        }
    }
}
