using Chat.Pipeline.Codecs;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Sessions;
using Chat.Reactor;

namespace Chat.Pipeline.Stages;

internal sealed partial class BroadcastStage
{
    /// <summary>
    /// A new member: live at once without <c>since</c>; with it, the missed messages first (from the window when it
    /// holds them all, else from the store through the replayer), then live. A <c>since</c> beyond the last id (the
    /// client saw a store that was since reset) counts as the last id.
    /// </summary>
    private void Join(Session session, long since)
    {
        if (session.Connection.IsClosing) return;
        if (since < 0 || since >= LastId)
        {
            GoLive(session, LastId);
            return;
        }
        CatchUp(session, since);
    }

    private void CaughtUp(Session session, long cursor)
    {
        if (session.Broadcast != BroadcastState.CatchingUp || session.Connection.IsClosing) return;
        if (cursor >= LastId) GoLive(session, cursor);
        else CatchUp(session, cursor);
    }

    private void CatchUp(Session session, long since)
    {
        if (!window.Covers(since))
        {
            session.Broadcast = BroadcastState.CatchingUp;
            replayer.Start(session, since);
            return;
        }
        var result = window.SendAfter(since, session.Connection, out var sent);
        ServerMetrics.Add(ref metrics.ReplayedMessages, sent);
        if (result == SendResult.Dropped)
        {
            session.Broadcast = BroadcastState.None;
            SessionCloser.Close(session, CloseStatus.PolicyViolation, "too slow: send queue over the limit", discardQueued: true);
            return;
        }
        GoLive(session, LastId);
    }

    private void GoLive(Session session, long cursor)
    {
        session.Cursor = cursor;
        session.Broadcast = BroadcastState.Live;
        if (_liveCount == _live.Length) Array.Resize(ref _live, _live.Length * 2);
        session.LiveIndex = _liveCount;
        _live[_liveCount] = session;
        Volatile.Write(ref _liveCount, _liveCount + 1);
    }

    private void Leave(Session session)
    {
        if (session.Broadcast == BroadcastState.Live)
        {
            var index = session.LiveIndex;
            var last = _live[_liveCount - 1];
            _live[index] = last;
            last.LiveIndex = index;
            _live[_liveCount - 1] = null!;
            Volatile.Write(ref _liveCount, _liveCount - 1);
            session.LiveIndex = -1;
        }
        session.Broadcast = BroadcastState.None;
    }
}
