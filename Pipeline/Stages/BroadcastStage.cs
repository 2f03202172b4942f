using System.Diagnostics;
using System.Threading.Channels;
using Chat.Pipeline.Cluster;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Replay;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Reactor;
using Microsoft.Extensions.ObjectPool;

namespace Chat.Pipeline.Stages;

/// <summary>
/// Stage 8: writes each committed message's id and frame header in front of its encoded tail (once), then queues that
/// one shared frame to every live connection of the message's room whose cursor is below the id. It never waits on a
/// socket: a connection whose queue is past the high-water mark is closed with 1008. Joins come from the handshake
/// straight (<see cref="JoinChannel"/>), each taken before the next item; one with <c>since</c>, or one that missed runs
/// that started after its 101 was queued, is served from the room's replay window or handed to the replayer.
/// Ids are per room, and delivery in a room is in id order, which is the room's commit order (the store's invariant):
/// with other nodes on the database, a local batch whose first id is not next in its room waits until the cluster
/// feed brought the room's messages before it. Rooms never wait for each other.
/// </summary>
internal sealed partial class BroadcastStage(
    ChannelReader<BroadcastItem> input,
    JoinChannel joins,
    ObjectPool<PersistBatch> batches,
    Replayer replayer,
    RoomDirectory rooms,
    PipelineOptions options,
    ServerMetrics metrics,
    ConnectionFaults faults)
{
    private int _liveCount;

    /// <summary>Connections receiving live messages, over all rooms (read by other threads).</summary>
    public int LiveCount => Volatile.Read(ref _liveCount);

    /// <summary>Set when other nodes share the database: asks for a room's messages up to an id.</summary>
    public ClusterFeed? Cluster { get; set; }

    public async Task RunAsync()
    {
        while (await input.WaitToReadAsync().ConfigureAwait(false))
        {
            while (input.TryRead(out var item))
            {
                // Every waiting join first: the handshake posts a connection's join before it forwards any of the
                // connection's bytes, so the join is handled before anything the connection sent, or its Closed.
                TakeJoins();
                try
                {
                    switch (item.Kind)
                    {
                        case BroadcastItemKind.JoinsWaiting:
                            break;
                        case BroadcastItemKind.CaughtUp:
                            CaughtUp(item.Session!, item.Cursor);
                            break;
                        case BroadcastItemKind.Foreign:
                            DeliverForeign(item.Foreign!);
                            break;
                        case BroadcastItemKind.PresenceTick:
                            PublishPresence();
                            break;
                        case BroadcastItemKind.Signal:
                            Relay(item.Room!, item.Frame!, (int)item.Cursor, sender: null);
                            item.Frame!.Release();
                            break;
                        default:
                            DeliverOrHold(item.Batch!);
                            break;
                    }
                }
                catch (Exception e) when (item.Session is not null && ConnectionFaults.IsConnectionScoped(e))
                {
                    faults.Fail(PipelineStage.Broadcast, item.Session, e);
                }
            }
        }
        foreach (var room in rooms.All)
        {
            for (var i = 0; i < room.LiveCount; i++) room.Live[i].Broadcast!.Phase = BroadcastPhase.None;
            room.Window?.Clear();
        }
    }

    private void DeliverOrHold(PersistBatch batch)
    {
        var room = batch.Room;
        if (Cluster is not null && (room.Held.Count > 0 || (batch.RowCount > 0 && batch.FirstId > room.LastId + 1)))
        {
            room.Held.Enqueue(batch);
            Cluster.Want(room, room.Held.Peek().FirstId - 1);
            return;
        }
        Deliver(batch);
    }

    private void DeliverForeign(ForeignBatch foreign)
    {
        var room = foreign.Room;
        var now = DateTime.UtcNow;
        foreach (var message in foreign.Messages)
        {
            // A held local batch that comes before this message in id order goes first. Every id below the message
            // is in this page or was delivered before (a page holds all that was committed after the feed's cursor),
            // so nothing is skipped. Dropping the page's later messages instead would lose them: the feed's cursor
            // has already moved past them.
            DeliverHeld(room, upTo: message.Id);
            if (message.Id > room.LastId)
            {
                var one = new FanoutFrame(message.Frame, message.Offset, message.Length, message.Id);
                Fanout(room, new ReadOnlySpan<FanoutFrame>(in one));
                metrics.ClusterLagSeconds.Observe(Math.Max(0, (now - message.Timestamp).TotalSeconds));
            }
            message.Frame.Release();
        }
        // Ids up to ReadThrough that were not there are gaps that will never fill: move past them, up to a held batch.
        var until = room.Held.TryPeek(out var first) && first.RowCount > 0 ? first.FirstId - 1 : long.MaxValue;
        var readThrough = Math.Min(foreign.ReadThrough, until);
        if (readThrough > room.LastId)
        {
            room.LastIdMoves.Moved(Stopwatch.GetTimestamp(), room.LastId, readThrough);
            room.LastId = readThrough;
        }
        DeliverHeld(room, upTo: room.LastId + 1);
        if (room.Held.TryPeek(out var waiting)) Cluster!.Want(room, waiting.FirstId - 1);
    }

    /// <summary>Delivers the room's held batches, in order, while the next one starts at or below <paramref name="upTo"/>.</summary>
    private void DeliverHeld(Room room, long upTo)
    {
        while (room.Held.TryPeek(out var next) && (next.RowCount == 0 || next.FirstId <= upTo)) Deliver(room.Held.Dequeue());
    }

    private void Deliver(PersistBatch batch)
    {
        var room = batch.Room;
        // Without other nodes nothing else delivers a room's ids: one at or below the last delivered means the store's
        // ids went backwards (its database was reset under the running server), and every client's cursor is now wrong.
        if (Cluster is null && batch.RowCount > 0 && batch.FirstId <= room.LastId)
        {
            throw new PipelineInvariantException($"the store gave id {batch.FirstId} in room {room.Name} after id {room.LastId} was delivered: its ids went backwards");
        }
        var id = batch.FirstId;
        var entries = batch.Entries;
        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i].Kind == ItemKind.Chat)
            {
                // Consecutive chat messages (no join, leave or signal between them) go out together: see DeliverRun.
                var end = i + 1;
                while (end < entries.Length && entries[end].Kind == ItemKind.Chat) end++;
                DeliverRun(room, entries[i..end], id);
                id += end - i;
                i = end - 1;
                continue;
            }
            ref readonly var entry = ref entries[i];
            try
            {
                switch (entry.Kind)
                {
                    case ItemKind.Closed:
                        Leave(entry.Session);
                        break;
                    case ItemKind.Signal:
                        if (Cluster is null || Cluster.Publish(room, entry.Frame!.Span[entry.Count..entry.TailLength])) Relay(room, entry.Frame!, entry.TailLength, entry.Session);
                        else entry.Session.Writer.SendError(ClusterFeed.SignalTooLarge);
                        entry.Frame!.Release();
                        break;
                    case ItemKind.CloseAfter:
                        entry.Session.Writer.CloseAfterMessages(entry.Frame!, entry.TailLength);
                        break;
                }
            }
            catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
            {
                faults.Fail(PipelineStage.Broadcast, entry.Session, e);
            }
        }
        batches.Return(batch);
    }

    /// <summary>A signalling frame to every live member of the room but its sender: no id, no window, never replayed.</summary>
    private void Relay(Room room, SharedBuffer frame, int length, Session? sender)
    {
        var live = room.Live;
        var relayed = 0;
        for (var i = room.LiveCount - 1; i >= 0; i--)
        {
            var session = live[i];
            if (session == sender) continue;
            var result = session.Writer.Send(frame, 0, length);
            if (result is SendResult.Accepted or SendResult.Backpressure) relayed++;
            else if (result == SendResult.Dropped) Leave(session);
        }
        ServerMetrics.Add(ref metrics.SignalsRelayed, relayed);
    }

    private void ReturnCredit(Session sender)
    {
        ServerMetrics.Add(ref metrics.MessagesSettled);
        sender.Pending.Remove(options.MaxPendingMessagesPerConnection);
    }
}
