using Chat.Pipeline.Items;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// The handshake stage's own state for one connection, there only while an upgrade waits: the upgrade pipelined
/// behind answers still being produced, and every item of this connection after it, held until those answers are
/// queued (the 101 and the frames after it must follow them).
/// </summary>
internal sealed class HandshakeState
{
    public readonly Queue<RequestItem> Deferred = new();
}
