using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Items;

/// <summary>Handshake → deframe: WebSocket bytes, or Closed.</summary>
internal readonly struct WireItem
{
    public ItemKind Kind { get; init; }
    public Session Session { get; init; }
    public byte[]? Buffer { get; init; }
    public int Offset { get; init; }
    public int Count { get; init; }

    public static WireItem Data(Session session, byte[] buffer, int offset, int count) =>
        new() { Kind = ItemKind.Data, Session = session, Buffer = buffer, Offset = offset, Count = count };

    public static WireItem Closed(Session session) => new() { Kind = ItemKind.Closed, Session = session };
}
