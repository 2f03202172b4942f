using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Chat.Reactor;

/// <summary>
/// The accept path's limits, judged, counted and logged one way for both transports: the connection cap, the
/// descriptor headroom, shedding after EMFILE and failed accepts. Each kind of warning has its own rate limit.
/// </summary>
internal sealed class AcceptRefusals(ReactorOptions options, ILogger logger)
{
    private readonly LogLimiter _atCap = new();
    private readonly LogLimiter _inHeadroom = new();
    private readonly LogLimiter _failures = new();
    private long _refused;

    /// <summary>Connections refused so far.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Whether a connection just accepted on <paramref name="descriptor"/> may stay, with <paramref name="open"/> open.</summary>
    public AcceptVerdict Judge(long descriptor, int open)
    {
        if (options.MaxConnections > 0 && open >= options.MaxConnections) return AcceptVerdict.AtCap;
        return DescriptorBudget.IsInHeadroom(descriptor) ? AcceptVerdict.InHeadroom : AcceptVerdict.Admit;
    }

    /// <summary>
    /// Counts and logs one refusal. Called after the refusal is written and before the close, so that whoever sees
    /// the peer's end of it also sees the count.
    /// </summary>
    public void Record(AcceptVerdict verdict, long descriptor, int open)
    {
        Interlocked.Increment(ref _refused);
        switch (verdict)
        {
            case AcceptVerdict.AtCap when _atCap.TryAcquire(out var suppressed):
                ReactorLog.Refused(logger, open, options.MaxConnections, suppressed);
                break;
            case AcceptVerdict.InHeadroom when _inHeadroom.TryAcquire(out var suppressed):
                ReactorLog.RefusedInHeadroom(logger, descriptor, DescriptorBudget.Headroom, suppressed);
                break;
        }
    }

    /// <summary>Logs an accept that failed for want of resources and the pause that follows it.</summary>
    public void AcceptFailed(SocketError error, TimeSpan delay)
    {
        if (_failures.TryAcquire(out var suppressed)) ReactorLog.AcceptFailed(logger, error, delay.TotalMilliseconds, suppressed);
    }
}
