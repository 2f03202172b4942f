using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Items;

/// <summary>
/// Unmask → escape → encode → persist: one item type for the message path. Message: the unmasked text in
/// <see cref="Buffer"/>; Chat: the HTML-escaped comment in <see cref="Buffer"/>, its receive time, and after encode the
/// frame tail in <see cref="Frame"/>; Signal: the relay frame in <see cref="Frame"/>. Closed passes through.
/// </summary>
internal readonly struct MessageItem
{
    public ItemKind Kind { get; init; }
    public Session Session { get; init; }
    /// <summary>Rented from <see cref="Reactor.BufferPool.Shared"/>; owned by the receiving stage.</summary>
    public byte[]? Buffer { get; init; }
    public int Count { get; init; }
    public DateTime Timestamp { get; init; }
    /// <summary>After encode: the shared frame buffer, its tail written after <c>ChatMessageEncoder.HeadRoom</c>.</summary>
    public Reactor.SharedBuffer? Frame { get; init; }
    public int TailLength { get; init; }
    /// <summary>After encode: the length of the compressed tail behind the plain one (<see cref="Codecs.DeflatedChatFrame"/>); 0 for none.</summary>
    public int DeflatedLength { get; init; }

    public static MessageItem Message(Session session, byte[] buffer, int count) =>
        new() { Kind = ItemKind.Message, Session = session, Buffer = buffer, Count = count };

    public static MessageItem Chat(Session session, byte[] comment, int count, DateTime timestamp) =>
        new() { Kind = ItemKind.Chat, Session = session, Buffer = comment, Count = count, Timestamp = timestamp };

    public MessageItem WithFrame(Reactor.SharedBuffer frame, int tailLength, int deflatedLength = 0) =>
        this with { Frame = frame, TailLength = tailLength, DeflatedLength = deflatedLength };

    /// <summary>
    /// A whole relay frame in <see cref="Frame"/>, <see cref="TailLength"/> bytes from its start, its JSON from
    /// <see cref="Count"/> on (what other nodes get).
    /// </summary>
    public static MessageItem Signal(Session session, Reactor.SharedBuffer frame, int length, int payloadStart) =>
        new() { Kind = ItemKind.Signal, Session = session, Frame = frame, TailLength = length, Count = payloadStart };

    public static MessageItem Closed(Session session) => new() { Kind = ItemKind.Closed, Session = session };

    /// <summary>A close frame in <see cref="Frame"/> (its <see cref="TailLength"/> bytes), sent after the connection's messages.</summary>
    public static MessageItem CloseAfter(Session session, Reactor.SharedBuffer frame, int length) =>
        new() { Kind = ItemKind.CloseAfter, Session = session, Frame = frame, TailLength = length };
}
