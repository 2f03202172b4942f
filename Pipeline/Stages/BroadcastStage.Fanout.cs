using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Replay;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Reactor;

namespace Chat.Pipeline.Stages;

internal sealed partial class BroadcastStage
{
    // The frames of the run being delivered; grown to the largest run once, then reused (no allocation per message).
    private FanoutFrame[] _run = new FanoutFrame[64];

    /// <summary>
    /// A run of consecutive chat messages of one batch: each gets its id and frame head, then the run goes out
    /// receiver by receiver. Queued back to back, a receiver's frames of the run are all there when its event loop
    /// flushes, so they leave in one write; message by message, the loop flushed the first frame while the others were
    /// still being queued to the rest of the room, and one batch cost a receiver several writes.
    /// </summary>
    private void DeliverRun(Room room, ReadOnlySpan<MessageItem> entries, long firstId)
    {
        if (_run.Length < entries.Length) _run = new FanoutFrame[Math.Max(entries.Length, _run.Length * 2)];
        var count = 0;
        try
        {
            // Ids increase along the run, so one already delivered (through the cluster feed, from another node's
            // reader) is at the start of the run: LastId moves only at the end of the fan-out.
            var lastId = room.LastId;
            for (var k = 0; k < entries.Length; k++)
            {
                var id = firstId + k;
                if (id <= lastId) continue;
                var frame = entries[k].Frame!;
                var offset = ChatMessageEncoder.WriteHead(id, entries[k].TailLength, frame.Span[..ChatMessageEncoder.HeadRoom]);
                var deflated = DeflatedChatFrame.WriteHead(frame.Span, offset, entries[k].TailLength, entries[k].DeflatedLength);
                _run[count++] = new FanoutFrame(frame, offset, ChatMessageEncoder.HeadRoom - offset + entries[k].TailLength, id, deflated);
            }
            if (count > 0) Fanout(room, _run.AsSpan(0, count));
        }
        finally
        {
            // Also when the fanout failed: an unsettled message would hold the drain until its deadline.
            foreach (ref readonly var entry in entries)
            {
                entry.Frame!.Release();
                try
                {
                    ReturnCredit(entry.Session);
                }
                catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
                {
                    faults.Fail(PipelineStage.Broadcast, entry.Session, e);
                }
            }
            _run.AsSpan(0, count).Clear();
        }
    }

    /// <summary>
    /// Queues the frames, in id order, to every live member of the room that has not had them, keeps them for replay,
    /// and moves the room's LastId to the last one.
    /// </summary>
    private void Fanout(Room room, ReadOnlySpan<FanoutFrame> frames)
    {
        // Stamped before any frame is queued: a client whose 101 was queued after this stamp joins past these frames.
        room.LastIdMoves.Moved(System.Diagnostics.Stopwatch.GetTimestamp(), room.LastId, frames[^1].Id);
        long delivered = 0, bytes = 0;
        var live = room.Live;
        // Backwards, so that removing a dropped consumer (swap with the last) never skips anyone.
        for (var i = room.LiveCount - 1; i >= 0; i--)
        {
            var session = live[i];
            try
            {
                Send(session, frames, ref delivered, ref bytes);
            }
            catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
            {
                // One receiver's failure is its own: the others still get the messages.
                Leave(session);
                faults.Fail(PipelineStage.Broadcast, session, e);
            }
        }
        var window = room.Window ??= new ReplayWindow(options.ReplayWindow);
        foreach (ref readonly var frame in frames) window.Add(frame.Id, frame.Frame, frame.Offset, frame.Length, frame.Deflated);
        room.LastId = frames[^1].Id;
        ServerMetrics.Add(ref metrics.MessagesBroadcast, frames.Length);
        ServerMetrics.Add(ref metrics.FramesDelivered, delivered);
        ServerMetrics.Add(ref metrics.BytesQueued, bytes);
    }

    /// <summary>Queues the frames the session has not had, back to back; stops at a dropped slow consumer.</summary>
    private void Send(Session session, ReadOnlySpan<FanoutFrame> frames, ref long delivered, ref long bytes)
    {
        var state = session.Broadcast!;
        foreach (ref readonly var frame in frames)
        {
            if (state.Cursor >= frame.Id) continue;
            var result = session.Writer.Send(frame.Frame, frame.Offset, frame.Length, frame.Deflated);
            state.Cursor = frame.Id;
            if (result is SendResult.Accepted or SendResult.Backpressure)
            {
                delivered++;
                bytes += frame.Length;
            }
            else if (result == SendResult.Dropped)
            {
                // The writer dropped it: out of the room at once, not when its Closed comes down the pipeline.
                Leave(session);
                return;
            }
        }
    }
}
