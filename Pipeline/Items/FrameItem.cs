using Chat.Pipeline.Codecs;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Items;

/// <summary>Deframe → unmask: a piece of one frame's payload (masked), a violation, or Closed.</summary>
internal readonly struct FrameItem
{
    public ItemKind Kind { get; init; }
    public Session Session { get; init; }
    public FrameHeader Header { get; init; }
    /// <summary>FramePart: rented buffer holding <see cref="Count"/> masked payload bytes (null for an empty frame).</summary>
    public byte[]? Buffer { get; init; }
    public int Count { get; init; }
    /// <summary>Offset of the first byte within the frame's payload: the mask phase.</summary>
    public long Offset { get; init; }
    /// <summary>True on the last piece of the frame.</summary>
    public bool FrameEnd { get; init; }
    public CloseStatus Violation { get; init; }
    public string? Reason { get; init; }

    public static FrameItem Part(Session session, in FrameHeader header, byte[]? buffer, int count, long offset, bool frameEnd) =>
        new() { Kind = ItemKind.FramePart, Session = session, Header = header, Buffer = buffer, Count = count, Offset = offset, FrameEnd = frameEnd };

    public static FrameItem Violated(Session session, CloseStatus status, string reason) =>
        new() { Kind = ItemKind.Violation, Session = session, Violation = status, Reason = reason };

    public static FrameItem Closed(Session session) => new() { Kind = ItemKind.Closed, Session = session };
}
