using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Reactor;
using Chat.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Replay;

/// <summary>
/// Sends a catching-up client the stored messages of its room after its cursor, page by page, off the broadcast worker; when a
/// page comes back short it reports its cursor to broadcast, which either makes the client live (nothing newer was
/// delivered meanwhile) or sends it the rest. So the client gets no gap and no duplicate between replay and live.
/// Replay is paced by the client: once its send queue is past half the high-water mark, the rest waits until it has
/// read down to half, so a reconnect that missed more than the queue holds is never dropped for it; a client that
/// does not read that much within <see cref="PipelineOptions.ReplayDrainTimeout"/> is dropped as a slow consumer.
/// </summary>
internal sealed class Replayer(IMessageStore store, ChannelWriter<BroadcastItem> broadcast, TimeSpan drainTimeout, ServerMetrics metrics, ILogger logger, ConnectionFaults faults)
{
    public const int PageSize = 256;
    private const int MaxAttempts = 5;
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    public void Start(Session session, long after) => _ = RunAsync(session, after, ReplayAsync);

    /// <summary>
    /// The broadcast stage's replay from its window stopped at <paramref name="cursor"/> with the client's queue past
    /// half: once the client has read it down, broadcast goes on from there (<see cref="BroadcastItem.CaughtUp"/>).
    /// </summary>
    public void ResumeWhenDrained(Session session, long cursor) => _ = RunAsync(session, cursor, ResumeAsync);

    // Nobody awaits a replay: what escapes it is this connection's failure, or the client would wait for ever.
    private async Task RunAsync(Session session, long cursor, Func<Session, long, Task> replay)
    {
        try
        {
            await replay(session, cursor).ConfigureAwait(false);
        }
        catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
        {
            faults.Fail(PipelineStage.Replay, session, e);
        }
    }

    private async Task ReplayAsync(Session session, long cursor)
    {
        var connection = session.Connection;
        for (var attempt = 1; !connection.IsClosing;)
        {
            IReadOnlyList<StoredMessage> page;
            try
            {
                using var timeout = new CancellationTokenSource(QueryTimeout);
                page = await store.ReadAfterAsync(session.Member!.Room.Name, cursor, PageSize, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                PipelineLog.ReplayFailed(logger, session.Id, attempt, e.Message);
                if (attempt++ == MaxAttempts)
                {
                    session.Writer.Close(CloseStatus.TryAgainLater, "history unavailable, reconnect later");
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt)).ConfigureAwait(false);
                continue;
            }
            foreach (var message in page)
            {
                var frame = StoredFrames.Encode(message, session.Member!.Room.NameUtf8, out var offset, out var length);
                var result = session.Writer.Send(frame, offset, length);
                frame.Release();
                // Dropped: the writer dropped the peer as a slow consumer.
                if (result is SendResult.Closed or SendResult.Dropped) return;
                cursor = message.Id;
                ServerMetrics.Add(ref metrics.ReplayedMessages, 1);
                if (result == SendResult.Backpressure && !await DrainedAsync(session).ConfigureAwait(false)) return;
            }
            if (page.Count < PageSize)
            {
                await broadcast.WriteAsync(BroadcastItem.CaughtUp(session, cursor)).ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task ResumeAsync(Session session, long cursor)
    {
        if (await DrainedAsync(session).ConfigureAwait(false))
        {
            await broadcast.WriteAsync(BroadcastItem.CaughtUp(session, cursor)).ConfigureAwait(false);
        }
    }

    /// <summary>True once the client's queue is down to half its mark; false when it was dropped or closed meanwhile.</summary>
    private async Task<bool> DrainedAsync(Session session)
    {
        var drained = session.Connection.WhenDrainedAsync();
        if (!drained.IsCompleted)
        {
            try
            {
                await drained.WaitAsync(drainTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                session.Writer.DropSlowConsumer();
                return false;
            }
        }
        return !session.Connection.IsClosing;
    }
}
