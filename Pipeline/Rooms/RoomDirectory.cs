using System.Collections.Concurrent;
using Chat.Storage;

namespace Chat.Pipeline.Rooms;

/// <summary>
/// Every room this process knows: those the store had at start, those connections named, and those other nodes wrote
/// to. Handshakes open rooms under <see cref="PipelineOptions.MaxRooms"/> and <see cref="PipelineOptions.AllowedRooms"/>;
/// rooms that already hold messages (from the store or another node) are always known. Thread-safe.
/// </summary>
internal sealed class RoomDirectory
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly HashSet<string>? _allowed;
    private readonly int _maxRooms;
    private readonly Lock _creating = new();

    public RoomDirectory(PipelineOptions options)
    {
        _maxRooms = options.MaxRooms;
        _allowed = options.AllowedRooms.Count == 0 ? null : new HashSet<string>(options.AllowedRooms, StringComparer.Ordinal);
        General = Known(RoomName.General);
    }

    /// <summary>The room of every connection that names none.</summary>
    public Room General { get; }

    public int Count => _rooms.Count;

    public ICollection<Room> All => _rooms.Values;

    /// <summary>Learns the rooms the store holds and their last ids (before the pipeline starts).</summary>
    public void Seed(IReadOnlyList<RoomSummary> stored)
    {
        foreach (var summary in stored) Known(summary.Room).LastId = Math.Max(Known(summary.Room).LastId, summary.LastId);
    }

    /// <summary>A room that exists elsewhere already (stored messages, another node): never refused.</summary>
    public Room Known(string name) => _rooms.GetOrAdd(name, static n => new Room(n, 0));

    public bool TryGet(string name, out Room room) => _rooms.TryGetValue(name, out room!);

    /// <summary>The room a handshake asks for, if the allow-list and the cap let it in.</summary>
    public RoomOpen TryOpen(string name, out Room room)
    {
        room = null!;
        if (_allowed is not null && !_allowed.Contains(name)) return RoomOpen.NotAllowed;
        if (_rooms.TryGetValue(name, out room!)) return RoomOpen.Opened;
        // Checked and added under one lock, so racing handshakes cannot push the count past the cap.
        lock (_creating)
        {
            if (_rooms.TryGetValue(name, out room!)) return RoomOpen.Opened;
            if (_rooms.Count >= _maxRooms) return RoomOpen.Full;
            room = Known(name);
            return RoomOpen.Opened;
        }
    }
}
