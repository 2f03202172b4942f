using System.Text;
using Chat.Pipeline.Presence;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Stages;

internal sealed partial class BroadcastStage
{
    // Rooms whose names or count (every node's) changed since the last tick; the tick sends each one frame (batching).
    private readonly List<Room> _presenceDirty = [];
    // Rooms whose set on this node changed since the last tick: offered to the other nodes once a tick.
    private readonly List<Room> _presenceLocal = [];
    // Rooms where other nodes had someone at the last read, so that a room they all left is emptied.
    private readonly HashSet<Room> _presenceRemote = [];

    /// <summary>Set when other nodes share the store: carries presence to and from them.</summary>
    public PresenceSync? Sync { get; set; }

    /// <summary>A connection that joined its room counts as online there until it leaves, live or catching up.</summary>
    private void Enter(Session session)
    {
        var state = session.Broadcast!;
        if (state.PresentAs is not null) return;
        var room = session.Member!.Room;
        state.PresentAs = Encoding.UTF8.GetString(session.Member!.UsernameEscaped);
        var (changed, local) = (room.Presence.Changed, room.Presence.LocalChanged);
        room.Presence.Add(state.PresentAs);
        Track(room, changed, local);
    }

    private void Exit(Session session, BroadcastState state)
    {
        if (state.PresentAs is not { } name) return;
        state.PresentAs = null;
        var room = session.Member!.Room;
        var (changed, local) = (room.Presence.Changed, room.Presence.LocalChanged);
        room.Presence.Remove(name);
        Track(room, changed, local);
    }

    private void Track(Room room, bool changed, bool local)
    {
        if (!changed && room.Presence.Changed) _presenceDirty.Add(room);
        if (Sync is not null && !local && room.Presence.LocalChanged) _presenceLocal.Add(room);
    }

    /// <summary>
    /// The tick: takes in the other nodes' latest presence, offers this node's changes to them, then sends one frame per
    /// changed room to its live connections that asked for presence.
    /// </summary>
    private void PublishPresence()
    {
        if (Sync is not null)
        {
            TakeRemotePresence(Sync);
            foreach (var room in _presenceLocal)
            {
                var (names, connections) = room.Presence.TakeLocal();
                Sync.Offer(room.Name, names, connections);
            }
            _presenceLocal.Clear();
        }
        // By index, not foreach: a watcher dropped as a slow consumer while its room's frame goes out leaves the room,
        // which marks the room changed again (a foreach then threw, out of the stage); that change goes out this tick.
        for (var i = 0; i < _presenceDirty.Count; i++) PublishPresence(_presenceDirty[i]);
        _presenceDirty.Clear();
    }

    private void TakeRemotePresence(PresenceSync sync)
    {
        if (sync.TakeRemote() is not { } remote) return;
        foreach (var room in _presenceRemote)
        {
            if (!remote.ContainsKey(room.Name)) SetRemote(room, [], 0);
        }
        _presenceRemote.Clear();
        foreach (var (name, row) in remote)
        {
            // A room another node has people in exists here too (as one another node wrote to does).
            var room = rooms.Known(name);
            SetRemote(room, row.Names, row.Connections);
            _presenceRemote.Add(room);
        }
    }

    private void SetRemote(Room room, IReadOnlyList<string> names, int connections)
    {
        var changed = room.Presence.Changed;
        room.Presence.SetRemote([.. names], connections);
        if (!changed && room.Presence.Changed) _presenceDirty.Add(room);
    }

    private void PublishPresence(Room room)
    {
        var (joined, left, countChanged) = room.Presence.TakeChanges();
        if (joined.Length == 0 && left.Length == 0 && !countChanged) return;
        var frame = PresenceFrames.Write(room.Name, joined, left, room.Presence.Connections, out var length);
        var live = room.Live;
        for (var i = room.LiveCount - 1; i >= 0; i--)
        {
            if (live[i].Member!.WantsPresence && live[i].Writer.Send(frame, 0, length) == Reactor.SendResult.Dropped) Leave(live[i]);
        }
        frame.Release();
    }

    /// <summary>A new watcher's first frame: everyone already there.</summary>
    private static void SendPresence(Session session, string[] joined, string[] left, Room room)
    {
        var frame = PresenceFrames.Write(room.Name, joined, left, room.Presence.Connections, out var length);
        // Dropped: the writer dropped the watcher; broadcast's next send to it finds it closed.
        session.Writer.Send(frame, 0, length);
        frame.Release();
    }
}
