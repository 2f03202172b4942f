using Chat.Pipeline.Codecs;
using Chat.Reactor;

namespace Chat.Pipeline.Sessions;

/// <summary>The one path to a server-sent close frame: write it, queue it after what is pending, close gracefully.</summary>
internal static class SessionCloser
{
    /// <param name="discardQueued">True for a peer that does not read: drop what it has not started to receive.</param>
    public static void Close(Session session, CloseStatus status, string reason, bool discardQueued = false)
    {
        if (session.Connection.IsClosing) return;
        var buffer = SharedBuffer.Rent(FrameEncoder.MaxControlFrameLength);
        Span<byte> reasonBytes = stackalloc byte[123];
        var reasonLength = System.Text.Encoding.UTF8.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, 123 / 3)), reasonBytes);
        var length = FrameEncoder.WriteClose(buffer.Span, status, reasonBytes[..reasonLength]);
        session.Connection.Close(buffer, 0, length, discardQueued);
        buffer.Release();
    }

    /// <summary>Echoes a peer's close (RFC 6455 section 5.5.1) and closes.</summary>
    public static void Echo(Session session, ushort code)
    {
        var buffer = SharedBuffer.Rent(FrameEncoder.MaxControlFrameLength);
        var length = FrameEncoder.WriteClose(buffer.Span, code);
        session.Connection.Close(buffer, 0, length);
        buffer.Release();
    }
}
