using Chat.Pipeline.Cluster;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Items;

internal enum BroadcastItemKind : byte
{
    /// <summary>A committed batch from the persist stage.</summary>
    Batch,
    /// <summary>A replay task sent everything up to <see cref="BroadcastItem.Cursor"/> and asks to go live.</summary>
    CaughtUp,
    /// <summary>Messages other nodes committed, from the cluster feed.</summary>
    Foreign,
    /// <summary>A signalling frame another node relayed, for every connection of <see cref="BroadcastItem.Room"/> here.</summary>
    Signal,
    /// <summary>Time to send the presence changes gathered since the last tick.</summary>
    PresenceTick,
    /// <summary>Wakes the stage for the joins in its <see cref="JoinChannel"/>; carries nothing.</summary>
    JoinsWaiting,
}

/// <summary>What the broadcast stage reads: committed batches, other nodes' messages, and replay tasks reporting progress (joins come through <see cref="JoinChannel"/>).</summary>
internal readonly struct BroadcastItem
{
    public BroadcastItemKind Kind { get; init; }
    public PersistBatch? Batch { get; init; }
    public ForeignBatch? Foreign { get; init; }
    public Session? Session { get; init; }
    public long Cursor { get; init; }
    public Rooms.Room? Room { get; init; }
    public Reactor.SharedBuffer? Frame { get; init; }

    public static BroadcastItem Committed(PersistBatch batch) => new() { Kind = BroadcastItemKind.Batch, Batch = batch };

    public static BroadcastItem FromOtherNodes(ForeignBatch batch) => new() { Kind = BroadcastItemKind.Foreign, Foreign = batch };

    /// <summary>Cursor holds the frame's length.</summary>
    public static BroadcastItem Signal(Rooms.Room room, Reactor.SharedBuffer frame, int length) =>
        new() { Kind = BroadcastItemKind.Signal, Room = room, Frame = frame, Cursor = length };

    public static BroadcastItem PresenceTick() => new() { Kind = BroadcastItemKind.PresenceTick };

    public static BroadcastItem JoinsWaiting() => new() { Kind = BroadcastItemKind.JoinsWaiting };

    public static BroadcastItem CaughtUp(Session session, long cursor) =>
        new() { Kind = BroadcastItemKind.CaughtUp, Session = session, Cursor = cursor };
}
