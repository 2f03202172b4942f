using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Items;

/// <summary>Handshake → deframe: WebSocket bytes, Join, or Closed.</summary>
internal readonly struct WireItem
{
    public ItemKind Kind { get; init; }
    public Session Session { get; init; }
    public byte[]? Buffer { get; init; }
    public int Offset { get; init; }
    public int Count { get; init; }
    /// <summary>Join: the client's <c>since</c>, or -1 for live messages only.</summary>
    public long Since { get; init; }

    public static WireItem Data(Session session, byte[] buffer, int offset, int count) =>
        new() { Kind = ItemKind.Data, Session = session, Buffer = buffer, Offset = offset, Count = count };

    public static WireItem Join(Session session, long since) => new() { Kind = ItemKind.Join, Session = session, Since = since };

    public static WireItem Closed(Session session) => new() { Kind = ItemKind.Closed, Session = session };
}
