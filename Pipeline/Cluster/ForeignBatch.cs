using Chat.Reactor;

namespace Chat.Pipeline.Cluster;

/// <summary>Messages of one room other nodes committed, read from the store in id order and encoded as frames.</summary>
internal sealed class ForeignBatch(Pipeline.Rooms.Room room)
{
    public Pipeline.Rooms.Room Room { get; } = room;

    public List<ForeignMessage> Messages { get; } = [];

    /// <summary>
    /// Every id up to here that will ever exist is in this batch or an earlier one: the store was read past it. Ids up to
    /// here that are missing are gaps, not late messages.
    /// </summary>
    public long ReadThrough { get; set; }
}

internal readonly record struct ForeignMessage(long Id, SharedBuffer Frame, int Offset, int Length, DateTime Timestamp);
