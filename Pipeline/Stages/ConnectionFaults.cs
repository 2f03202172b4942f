using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Sessions;
using Chat.Reactor;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Stages;

/// <summary>
/// What a stage does when handling one connection's item throws: that connection alone pays (close 1011 once
/// upgraded, else 500 and close), the failure is counted by stage and logged within one budget for all stages, and
/// the stage goes on with the next item. A stage that dies instead would stop the server for everyone.
/// </summary>
internal sealed class ConnectionFaults(ServerMetrics metrics, ILogger logger)
{
    private readonly LogLimiter _log = new();

    /// <summary>
    /// False for what breaks the whole process, which must still stop the server: memory exhausted, a channel
    /// completed under a stage that still writes, a broken invariant.
    /// </summary>
    public static bool IsConnectionScoped(Exception e) =>
        e is not (OutOfMemoryException or ChannelClosedException or PipelineInvariantException);

    public void Fail(PipelineStage stage, Session session, Exception exception) =>
        Fail(stage, session.Connection, session, exception);

    /// <param name="session">Null when the connection failed before its session existed.</param>
    public void Fail(PipelineStage stage, Connection connection, Session? session, Exception exception)
    {
        metrics.ConnectionErrors.Add(stage);
        if (_log.TryAcquire(out var suppressed))
        {
            PipelineLog.ConnectionFailed(logger, ConnectionErrorCounters.LabelOf(stage), connection.Id, suppressed, exception);
        }
        if (connection.IsClosing) return;
        if (session is null) ConnectionWriter.CloseWithoutSession(connection);
        else if (session.Progress.Upgraded) session.Writer.Close(CloseStatus.InternalServerError, "internal error");
        else _ = InternalErrorAsync(session);
    }

    /// <summary>
    /// A chat message lost after the escape stage counted it: settles it, or the drain would wait for it until its
    /// deadline. Its sender is being closed, so its paused reads stay paused.
    /// </summary>
    public void Settle(Session sender)
    {
        ServerMetrics.Add(ref metrics.MessagesSettled);
        sender.Pending.Drop();
    }

    // After the answers already queued on this connection, so that a pipelining client gets them in order.
    private static async Task InternalErrorAsync(Session session)
    {
        await session.HttpAnswered.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        session.Writer.CloseWithAnswer(500, "internal server error\n"u8);
    }
}
