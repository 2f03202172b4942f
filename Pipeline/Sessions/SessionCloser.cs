using Chat.Pipeline.Codecs;
using Chat.Pipeline.Http;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Reactor;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// The one path to a server-sent close frame: write it, queue it after what is pending, close gracefully. A close
/// that ends a WebSocket conversation (the echo of the client's close, a violation, the rate limit) is sent after
/// every message the client sent before it has been stored and echoed back: it travels down the pipeline behind them
/// as a <see cref="ItemKind.CloseAfter"/> item, so a client never loses the acknowledgement of a stored message.
/// </summary>
internal static class SessionCloser
{
    /// <param name="discardQueued">True for a peer that does not read: drop what it has not started to receive.</param>
    public static void Close(Session session, CloseStatus status, string reason, bool discardQueued = false)
    {
        if (session.Connection.IsClosing) return;
        var buffer = Write(status, reason, out var length);
        session.Connection.Close(buffer, 0, length, discardQueued);
        buffer.Release();
    }

    /// <summary>
    /// The last answer of an HTTP connection that is being closed (408 for a head that never came, 500 for a request
    /// that failed), queued after the answers before it; then the close.
    /// </summary>
    public static void CloseWithAnswer(Connection connection, int status, ReadOnlySpan<byte> text)
    {
        var buffer = HttpAnswer.Write(status, HttpAnswer.TextPlain, text, keepAlive: false, headOnly: false, default, out var length);
        connection.Close(buffer, 0, length);
        buffer.Release();
    }

    /// <summary>
    /// The one way a peer that does not read is dropped, whichever path found its send queue past the high-water mark
    /// (live broadcast, replay from the window, replay from the store): counted in
    /// <c>chat_slow_consumers_dropped_total</c>, logged, and closed with 1008 without what it has not started to
    /// receive. A connection already closing is neither counted nor logged again.
    /// </summary>
    public static void DropSlowConsumer(Session session, ServerMetrics metrics, ILogger logger)
    {
        if (session.Connection.IsClosing) return;
        ServerMetrics.Add(ref metrics.SlowConsumersDropped);
        PipelineLog.SlowConsumer(logger, session.Id, session.Connection.RemoteEndPoint.ToString());
        Close(session, CloseStatus.PolicyViolation, "too slow: send queue over the limit", discardQueued: true);
    }

    /// <summary>
    /// A close with <paramref name="status"/> that follows the connection's messages still in the pipeline. Reads
    /// pause meanwhile: whatever the client sends after it would be ignored.
    /// </summary>
    public static MessageItem After(Session session, CloseStatus status, string reason)
    {
        session.Connection.PauseReading();
        var buffer = Write(status, reason, out var length);
        return MessageItem.CloseAfter(session, buffer, length);
    }

    /// <summary>The echo of a peer's close (RFC 6455 section 5.5.1), after the messages it sent before it.</summary>
    public static MessageItem EchoAfter(Session session, ushort code)
    {
        var buffer = SharedBuffer.Rent(FrameEncoder.MaxControlFrameLength);
        var length = FrameEncoder.WriteClose(buffer.Span, code);
        return MessageItem.CloseAfter(session, buffer, length);
    }

    /// <summary>The broadcast stage's end of <see cref="After"/>: the frames before it are queued, so now the close.</summary>
    public static void CloseAfterMessages(Session session, SharedBuffer frame, int length)
    {
        session.Connection.Close(frame, 0, length);
        frame.Release();
    }

    private static SharedBuffer Write(CloseStatus status, string reason, out int length)
    {
        var buffer = SharedBuffer.Rent(FrameEncoder.MaxControlFrameLength);
        Span<byte> reasonBytes = stackalloc byte[123];
        var reasonLength = System.Text.Encoding.UTF8.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, 123 / 3)), reasonBytes);
        length = FrameEncoder.WriteClose(buffer.Span, status, reasonBytes[..reasonLength]);
        return buffer;
    }
}
