using Chat.Pipeline.Codecs;
using Chat.Pipeline.Rooms;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// Who a connection is once upgraded: its name, room, and what it negotiated. The handshake makes it before it queues
/// the 101 and posts the join, and nothing changes it afterwards, so every stage reads it without a lock.
/// </summary>
internal sealed class Member(string username, byte[] usernameEscaped, Room room, bool wantsPresence, PerMessageDeflateAgreement deflate)
{
    public string Username { get; } = username;

    /// <summary>The name HTML-escaped, as frames and the store carry it.</summary>
    public byte[] UsernameEscaped { get; } = usernameEscaped;

    public Room Room { get; } = room;

    /// <summary>presence=1 at the handshake: the connection gets presence frames.</summary>
    public bool WantsPresence { get; } = wantsPresence;

    /// <summary>permessage-deflate as negotiated at the handshake.</summary>
    public PerMessageDeflateAgreement Deflate { get; } = deflate;
}
