using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Reactor;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// Server-sent close frames. A close that ends a WebSocket conversation (the echo of the client's close, a violation,
/// the rate limit) is sent after every message the client sent before it has been stored and echoed back: it travels
/// down the pipeline behind them as a <see cref="ItemKind.CloseAfter"/> item, and the broadcast stage hands it to
/// <see cref="ConnectionWriter.CloseAfterMessages"/>, so a client never loses the acknowledgement of a stored message.
/// Every other close is the writer's at once (<see cref="ConnectionWriter.Close(CloseStatus, string, bool)"/>).
/// </summary>
internal static class SessionCloser
{
    /// <summary>
    /// A close with <paramref name="status"/> that follows the connection's messages still in the pipeline. Reads
    /// pause meanwhile: whatever the client sends after it would be ignored.
    /// </summary>
    public static MessageItem After(Session session, CloseStatus status, string reason)
    {
        session.Connection.PauseReading();
        var buffer = Frame(status, reason, out var length);
        return MessageItem.CloseAfter(session, buffer, length);
    }

    /// <summary>The echo of a peer's close (RFC 6455 section 5.5.1), after the messages it sent before it.</summary>
    public static MessageItem EchoAfter(Session session, ushort code)
    {
        var buffer = SharedBuffer.Rent(FrameEncoder.MaxControlFrameLength);
        var length = FrameEncoder.WriteClose(buffer.Span, code);
        return MessageItem.CloseAfter(session, buffer, length);
    }

    /// <summary>A close frame with <paramref name="status"/> and as much of <paramref name="reason"/> as fits (123 bytes).</summary>
    public static SharedBuffer Frame(CloseStatus status, string reason, out int length)
    {
        var buffer = SharedBuffer.Rent(FrameEncoder.MaxControlFrameLength);
        Span<byte> reasonBytes = stackalloc byte[123];
        var reasonLength = System.Text.Encoding.UTF8.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, 123 / 3)), reasonBytes);
        length = FrameEncoder.WriteClose(buffer.Span, status, reasonBytes[..reasonLength]);
        return buffer;
    }
}
