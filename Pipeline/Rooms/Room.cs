using System.Text;
using Chat.Pipeline.Items;
using Chat.Pipeline.Replay;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Rooms;

/// <summary>
/// One room's state in this process. Each group of fields belongs to one worker, as in <see cref="Session"/>; ids are
/// per room (the store's sequence), so everything that orders or replays messages is here rather than global.
/// </summary>
internal sealed class Room
{
    private long _lastId;
    private int _liveCount;

    public Room(string name, long lastId)
    {
        Name = name;
        NameUtf8 = Encoding.UTF8.GetBytes(name);
        _lastId = lastId;
    }

    public string Name { get; }

    /// <summary>The name as UTF-8, written into every frame of the room (names are ASCII: no JSON escaping needed).</summary>
    public byte[] NameUtf8 { get; }

    /// <summary>Id of the room's last message delivered here (read by other threads; written by broadcast).</summary>
    public long LastId
    {
        get => Volatile.Read(ref _lastId);
        set => Volatile.Write(ref _lastId, value);
    }

    /// <summary>Connections of this node receiving the room's live messages (read by other threads).</summary>
    public int LiveCount
    {
        get => Volatile.Read(ref _liveCount);
        set => Volatile.Write(ref _liveCount, value);
    }

    // --- persist stage ---
    /// <summary>The batch this room's items go into during the current group commit, if any.</summary>
    public PersistBatch? Pending;

    // --- broadcast stage ---
    public Session[] Live = new Session[4];
    /// <summary>Local batches waiting for other nodes' earlier ids of this room (see BroadcastStage).</summary>
    public readonly Queue<PersistBatch> Held = new();
    /// <summary>Created at the room's first message, so that rooms nobody writes to cost no window.</summary>
    public ReplayWindow? Window;
    /// <summary>When <see cref="LastId"/> moved: where a client that joins without <c>since</c> starts.</summary>
    public readonly LastIdHistory LastIdMoves = new();
    /// <summary>Who is online here (its snapshot is read by GET /presence and /rooms from other threads).</summary>
    public readonly Presence.RoomPresence Presence = new();

    // --- cluster feed ---
    /// <summary>Highest id of this room wanted from the store (Interlocked).</summary>
    public long ClusterTarget;
    /// <summary>1 while the room waits in the cluster feed's queue (Interlocked).</summary>
    public int ClusterQueued;
    /// <summary>1 when everything after the cursor must be read (the feed reconnected) (Interlocked).</summary>
    public int ClusterReadAll;
    /// <summary>Everything of the room up to here was read from the store (the feed's worker only).</summary>
    public long ClusterCursor;
}
