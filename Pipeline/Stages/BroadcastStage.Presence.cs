using System.Text;
using Chat.Pipeline.Presence;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Stages;

internal sealed partial class BroadcastStage
{
    // Rooms whose set of names changed since the last tick; the tick sends each one frame (batching).
    private readonly List<Room> _presenceDirty = [];

    /// <summary>A connection that joined its room counts as online there until it leaves, live or catching up.</summary>
    private void Enter(Session session)
    {
        if (session.PresentAs is not null) return;
        var room = session.Room!;
        session.PresentAs = Encoding.UTF8.GetString(session.UsernameEscaped);
        var changed = room.Presence.Changed;
        room.Presence.Add(session.PresentAs);
        if (!changed && room.Presence.Changed) _presenceDirty.Add(room);
    }

    private void Exit(Session session)
    {
        if (session.PresentAs is not { } name) return;
        session.PresentAs = null;
        var room = session.Room!;
        var changed = room.Presence.Changed;
        room.Presence.Remove(name);
        if (!changed && room.Presence.Changed) _presenceDirty.Add(room);
    }

    /// <summary>One frame per changed room, to its live connections that asked for presence.</summary>
    private void PublishPresence()
    {
        foreach (var room in _presenceDirty) PublishPresence(room);
        _presenceDirty.Clear();
    }

    private void PublishPresence(Room room)
    {
        var (joined, left) = room.Presence.TakeChanges();
        if (joined.Length == 0 && left.Length == 0) return;
        var frame = PresenceFrames.Write(room.Name, joined, left, room.Presence.Connections, out var length);
        var live = room.Live;
        for (var i = room.LiveCount - 1; i >= 0; i--)
        {
            if (live[i].WantsPresence && live[i].Connection.Send(frame, 0, length) == Reactor.SendResult.Dropped) DropSlowConsumer(live[i]);
        }
        frame.Release();
    }

    /// <summary>A new watcher's first frame: everyone already there.</summary>
    private static void SendPresence(Session session, string[] joined, string[] left, Room room)
    {
        var frame = PresenceFrames.Write(room.Name, joined, left, room.Presence.Connections, out var length);
        session.Connection.Send(frame, 0, length);
        frame.Release();
    }
}
