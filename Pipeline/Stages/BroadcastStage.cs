using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Replay;
using Chat.Pipeline.Sessions;
using Chat.Reactor;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Stages;

/// <summary>
/// Stage 8: writes each committed message's id and frame header in front of its encoded tail (once), then queues that
/// one shared frame to every live connection whose cursor is below the id. It never waits on a socket: a connection
/// whose queue is past the high-water mark is closed with 1008. Joins with <c>since</c> are served from the replay
/// window or handed to the replayer.
/// </summary>
internal sealed partial class BroadcastStage(
    ChannelReader<BroadcastItem> input,
    BatchPool batches,
    Replayer replayer,
    ReplayWindow window,
    PipelineOptions options,
    ServerMetrics metrics,
    ILogger logger)
{
    private Session[] _live = new Session[64];
    private int _liveCount;

    /// <summary>Id of the last message delivered; set from the store before the stage starts.</summary>
    public long LastId { get; set; }

    public int LiveCount => Volatile.Read(ref _liveCount);

    public async Task RunAsync()
    {
        while (await input.WaitToReadAsync().ConfigureAwait(false))
        {
            while (input.TryRead(out var item))
            {
                if (item.Kind == BroadcastItemKind.CaughtUp) CaughtUp(item.Session!, item.Cursor);
                else Deliver(item.Batch!);
            }
        }
        for (var i = 0; i < _liveCount; i++) _live[i].Broadcast = BroadcastState.None;
        window.Clear();
    }

    private void Deliver(PersistBatch batch)
    {
        var id = batch.FirstId;
        foreach (ref readonly var entry in batch.Entries)
        {
            switch (entry.Kind)
            {
                case ItemKind.Chat:
                    Deliver(entry, id++);
                    break;
                case ItemKind.Join:
                    Join(entry.Session, entry.Since);
                    break;
                case ItemKind.Closed:
                    Leave(entry.Session);
                    break;
            }
        }
        batches.Return(batch);
    }

    private void Deliver(in MessageItem entry, long id)
    {
        var frame = entry.Frame!;
        var offset = ChatMessageEncoder.WriteHead(id, entry.TailLength, frame.Span[..ChatMessageEncoder.HeadRoom]);
        var length = ChatMessageEncoder.HeadRoom - offset + entry.TailLength;
        var delivered = 0;
        // Backwards, so that removing a dropped consumer (swap with the last) never skips anyone.
        for (var i = _liveCount - 1; i >= 0; i--)
        {
            var session = _live[i];
            if (session.Cursor >= id) continue;
            var result = session.Connection.Send(frame, offset, length);
            session.Cursor = id;
            if (result is SendResult.Accepted or SendResult.Backpressure) delivered++;
            else if (result == SendResult.Dropped) DropSlowConsumer(session);
        }
        window.Add(id, frame, offset, length);
        frame.Release();
        LastId = id;
        ServerMetrics.Add(ref metrics.MessagesBroadcast);
        ServerMetrics.Add(ref metrics.FramesDelivered, delivered);
        ServerMetrics.Add(ref metrics.BytesQueued, (long)delivered * length);
        ReturnCredit(entry.Session);
    }

    private void ReturnCredit(Session sender)
    {
        var pending = Interlocked.Decrement(ref sender.PendingMessages);
        if (pending <= options.MaxPendingMessagesPerConnection / 2 && Interlocked.CompareExchange(ref sender.ReadPaused, 0, 1) == 1)
        {
            sender.Connection.ResumeReading();
        }
    }

    private void DropSlowConsumer(Session session)
    {
        ServerMetrics.Add(ref metrics.SlowConsumersDropped);
        PipelineLog.SlowConsumer(logger, session.Id, session.Connection.RemoteEndPoint.ToString());
        Leave(session);
        SessionCloser.Close(session, CloseStatus.PolicyViolation, "too slow: send queue over the limit", discardQueued: true);
    }
}
