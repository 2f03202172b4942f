using System.Threading.Channels;
using Chat.Pipeline.Cluster;
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
/// Delivery is in id order, which is commit order (the store's invariant): with other nodes on the database, a local
/// batch whose first id is not next waits until the cluster feed brought the messages before it.
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
    private readonly Queue<PersistBatch> _held = new();
    private Session[] _live = new Session[64];
    private int _liveCount;
    private long _lastId;

    /// <summary>Id of the last message delivered (read by other threads); set from the store before the stage starts.</summary>
    public long LastId
    {
        get => Volatile.Read(ref _lastId);
        set => Volatile.Write(ref _lastId, value);
    }

    public int LiveCount => Volatile.Read(ref _liveCount);

    /// <summary>Set when other nodes share the database: asks for the messages up to an id.</summary>
    public ClusterFeed? Cluster { get; set; }

    public async Task RunAsync()
    {
        while (await input.WaitToReadAsync().ConfigureAwait(false))
        {
            while (input.TryRead(out var item))
            {
                switch (item.Kind)
                {
                    case BroadcastItemKind.CaughtUp:
                        CaughtUp(item.Session!, item.Cursor);
                        break;
                    case BroadcastItemKind.Foreign:
                        DeliverForeign(item.Foreign!);
                        break;
                    default:
                        DeliverOrHold(item.Batch!);
                        break;
                }
            }
        }
        for (var i = 0; i < _liveCount; i++) _live[i].Broadcast = BroadcastState.None;
        window.Clear();
    }

    private void DeliverOrHold(PersistBatch batch)
    {
        if (Cluster is not null && (_held.Count > 0 || (batch.RowCount > 0 && batch.FirstId > LastId + 1)))
        {
            _held.Enqueue(batch);
            Cluster.Want(_held.Peek().FirstId - 1);
            return;
        }
        Deliver(batch);
    }

    private void DeliverForeign(ForeignBatch foreign)
    {
        var now = DateTime.UtcNow;
        foreach (var message in foreign.Messages)
        {
            // A held local batch that comes before this message in id order goes first. Every id below the message
            // is in this page or was delivered before (a page holds all that was committed after the feed's cursor),
            // so nothing is skipped. Dropping the page's later messages instead would lose them: the feed's cursor
            // has already moved past them.
            DeliverHeld(upTo: message.Id);
            if (message.Id > LastId)
            {
                Fanout(message.Frame, message.Offset, message.Length, message.Id);
                metrics.ClusterLagSeconds.Observe(Math.Max(0, (now - message.Timestamp).TotalSeconds));
            }
            message.Frame.Release();
        }
        // Ids up to ReadThrough that were not there are gaps that will never fill: move past them, up to a held batch.
        var until = _held.TryPeek(out var first) && first.RowCount > 0 ? first.FirstId - 1 : long.MaxValue;
        LastId = Math.Max(LastId, Math.Min(foreign.ReadThrough, until));
        DeliverHeld(upTo: LastId + 1);
        if (_held.TryPeek(out var waiting)) Cluster!.Want(waiting.FirstId - 1);
    }

    /// <summary>Delivers held batches, in order, while the next one starts at or below <paramref name="upTo"/>.</summary>
    private void DeliverHeld(long upTo)
    {
        while (_held.TryPeek(out var next) && (next.RowCount == 0 || next.FirstId <= upTo)) Deliver(_held.Dequeue());
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
                case ItemKind.CloseAfter:
                    SessionCloser.CloseAfterMessages(entry.Session, entry.Frame!, entry.TailLength);
                    break;
            }
        }
        batches.Return(batch);
    }

    private void Deliver(in MessageItem entry, long id)
    {
        var frame = entry.Frame!;
        // An id already delivered came through the cluster feed first (another node's reader saw it committed).
        if (id > LastId)
        {
            var offset = ChatMessageEncoder.WriteHead(id, entry.TailLength, frame.Span[..ChatMessageEncoder.HeadRoom]);
            Fanout(frame, offset, ChatMessageEncoder.HeadRoom - offset + entry.TailLength, id);
        }
        frame.Release();
        ReturnCredit(entry.Session);
    }

    /// <summary>Queues one frame to every live member that has not had this id, keeps it for replay, and moves LastId.</summary>
    private void Fanout(SharedBuffer frame, int offset, int length, long id)
    {
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
        LastId = id;
        ServerMetrics.Add(ref metrics.MessagesBroadcast);
        ServerMetrics.Add(ref metrics.FramesDelivered, delivered);
        ServerMetrics.Add(ref metrics.BytesQueued, (long)delivered * length);
    }

    private void ReturnCredit(Session sender)
    {
        ServerMetrics.Add(ref metrics.MessagesSettled);
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
