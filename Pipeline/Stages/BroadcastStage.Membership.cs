using Chat.Pipeline.Metrics;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Reactor;

namespace Chat.Pipeline.Stages;

internal sealed partial class BroadcastStage
{
    private void TakeJoins()
    {
        while (joins.TryTake(out var join))
        {
            try
            {
                Join(join.Session, join.Since, join.SwitchedAt);
            }
            catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
            {
                faults.Fail(PipelineStage.Broadcast, join.Session, e);
            }
        }
    }

    /// <summary>
    /// A new member of its room. Without <c>since</c> it starts at its 101: the last id delivered when the 101 was
    /// queued (<see cref="Room.LastIdMoves"/>), so runs that started after that reach it even though its join arrives
    /// after them. Missed messages come first (from the window when it holds them all, else from the store through the
    /// replayer), then live. A <c>since</c> beyond the last id (the client saw a store that was since reset) counts as
    /// the last id.
    /// </summary>
    private void Join(Session session, long since, long switchedAt)
    {
        if (session.Connection.IsClosing) return;
        session.Broadcast = new BroadcastState();
        Enter(session);
        var room = session.Member!.Room;
        var lastId = room.LastId;
        if (since < 0) since = room.LastIdMoves.At(switchedAt, lastId);
        if (since >= lastId)
        {
            GoLive(session, lastId);
            return;
        }
        CatchUp(session, since);
    }

    private void CaughtUp(Session session, long cursor)
    {
        if (session.Broadcast is not { Phase: BroadcastPhase.CatchingUp } || session.Connection.IsClosing) return;
        if (cursor >= session.Member!.Room.LastId) GoLive(session, cursor);
        else CatchUp(session, cursor);
    }

    private void CatchUp(Session session, long since)
    {
        var room = session.Member!.Room;
        var window = room.Window;
        if (window is null || !window.Covers(since))
        {
            session.Broadcast!.Phase = BroadcastPhase.CatchingUp;
            replayer.Start(session, since);
            return;
        }
        var result = window.SendAfter(since, session, out var sent, out var cursor);
        ServerMetrics.Add(ref metrics.ReplayedMessages, sent);
        switch (result)
        {
            case SendResult.Dropped:
                session.Broadcast!.Phase = BroadcastPhase.None;
                return;
            case SendResult.Backpressure:
                session.Broadcast!.Phase = BroadcastPhase.CatchingUp;
                replayer.ResumeWhenDrained(session, cursor);
                return;
        }
        GoLive(session, room.LastId);
    }

    private void GoLive(Session session, long cursor)
    {
        var room = session.Member!.Room;
        // The watchers get the room's pending changes first, so that the newcomer's full list and every later change
        // frame start from the same set; a name that came and went in between is otherwise never taken back.
        if (session.Member!.WantsPresence && room.Presence.Changed) PublishPresence(room);
        var state = session.Broadcast!;
        state.Cursor = cursor;
        state.Phase = BroadcastPhase.Live;
        var count = room.LiveCount;
        if (count == room.Live.Length) Array.Resize(ref room.Live, count * 2);
        state.LiveIndex = count;
        room.Live[count] = session;
        room.LiveCount = count + 1;
        Volatile.Write(ref _liveCount, _liveCount + 1);
        if (session.Member!.WantsPresence) SendPresence(session, room.Presence.Online, [], room);
    }

    /// <summary>Out of its room and its presence, for good: the connection closed, failed, or was dropped.</summary>
    private void Leave(Session session)
    {
        if (session.Broadcast is not { } state) return;
        if (state.Phase == BroadcastPhase.Live)
        {
            var room = session.Member!.Room;
            var live = room.Live;
            var index = state.LiveIndex;
            var count = room.LiveCount;
            var last = live[count - 1];
            live[index] = last;
            last.Broadcast!.LiveIndex = index;
            live[count - 1] = null!;
            room.LiveCount = count - 1;
            Volatile.Write(ref _liveCount, _liveCount - 1);
        }
        Exit(session, state);
        session.Broadcast = null;
    }
}
