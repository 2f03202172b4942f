using Chat.Pipeline.Codecs;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Items;

/// <summary>Parse header → handshake: a request head, a rejection, WebSocket bytes, or Closed.</summary>
internal readonly struct RequestItem
{
    public ItemKind Kind { get; init; }
    public Session Session { get; init; }
    /// <summary>Request: the head bytes (rented, owned by the receiver). Data: rented read buffer.</summary>
    public byte[]? Buffer { get; init; }
    public int Offset { get; init; }
    public int Count { get; init; }
    public HttpRequestHead Head { get; init; }
    /// <summary>Reject: the HTTP status to answer.</summary>
    public int Status { get; init; }
    /// <summary>
    /// Request: what the parse stage decided for the connection after this head (Http: keep-alive, WebSocket: upgrade,
    /// Done: close after the answer). The session's own mode may already reflect a later pipelined head.
    /// </summary>
    public SessionMode Mode { get; init; }
    /// <summary>Reject: the refused request said HEAD, so its error answer gets the head only.</summary>
    public bool HeadOnly { get; init; }

    public static RequestItem Request(Session session, byte[] head, int count, in HttpRequestHead parsed, SessionMode mode) =>
        new() { Kind = ItemKind.Request, Session = session, Buffer = head, Count = count, Head = parsed, Mode = mode };

    public static RequestItem Reject(Session session, int status, bool headOnly) =>
        new() { Kind = ItemKind.Reject, Session = session, Status = status, HeadOnly = headOnly };

    public static RequestItem Data(Session session, byte[] buffer, int offset, int count) =>
        new() { Kind = ItemKind.Data, Session = session, Buffer = buffer, Offset = offset, Count = count };

    public static RequestItem Closed(Session session) => new() { Kind = ItemKind.Closed, Session = session };
}
