using System.Diagnostics;
using Chat.Pipeline.Codecs;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// Once a second: closes connections that did not send a complete request head in time (408), pings WebSocket peers
/// that went quiet, and closes those silent past the idle timeout (1001). Pongs and any other bytes count as life,
/// which is how half-open connections are found.
/// </summary>
internal sealed class KeepAliveSweeper(SessionRegistry sessions, PipelineOptions options, AbuseReport abuse)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                Sweep(now);
                abuse.FlushIfDue(now);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal void Sweep(long now)
    {
        var headTimeout = (long)(options.HeadTimeout.TotalSeconds * Stopwatch.Frequency);
        var pingAfter = (long)(options.PingInterval.TotalSeconds * Stopwatch.Frequency);
        var idleTimeout = (long)(options.IdleTimeout.TotalSeconds * Stopwatch.Frequency);
        foreach (var session in sessions.All)
        {
            var connection = session.Connection;
            if (connection.IsClosing) continue;
            var progress = session.Progress;
            if (progress.Mode == SessionMode.Http)
            {
                if (now - progress.AwaitingHeadSince > headTimeout && session.HttpAnswered.IsCompleted)
                {
                    abuse.Record(connection, AbuseKind.RefusedRequest, "408 request head timeout");
                    session.Writer.CloseWithAnswer(408, "request head timeout\n"u8);
                }
                continue;
            }
            if (!progress.Upgraded) continue;
            var silent = now - connection.LastActivityTimestamp;
            // A peer whose messages are still in the pipeline (a slow store) gets their echoes before the idle close.
            if (silent > idleTimeout && session.Pending.Count == 0) session.Writer.Close(CloseStatus.GoingAway, "idle timeout");
            else if (silent > pingAfter && (session.KeepAlive?.PingedAt ?? 0) < connection.LastActivityTimestamp) Ping(session, now);
        }
    }

    private static void Ping(Session session, long now)
    {
        (session.KeepAlive ??= new KeepAliveState()).PingedAt = now;
        session.Writer.SendControl(Opcode.Ping, "keep-alive"u8);
    }
}
