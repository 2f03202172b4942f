using Chat.Pipeline.Codecs;
using Chat.Reactor;

namespace Chat.Pipeline.Sessions;

/// <summary>Sends <c>{"messageType":"error","error":"…"}</c> to one client; the connection stays open.</summary>
internal static class ErrorFrames
{
    public static void Send(Session session, string reason)
    {
        var buffer = SharedBuffer.Rent(ChatMessageEncoder.MaxErrorFrameLength(reason.Length));
        var length = ChatMessageEncoder.WriteErrorFrame(reason, buffer.Span);
        session.Connection.Send(buffer, 0, length);
        buffer.Release();
    }
}
