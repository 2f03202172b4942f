using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Reactor;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// The pipeline's one way out to a connection: every WebSocket frame (replies, error frames, control frames, replay,
/// broadcast, presence, relayed signals), every HTTP answer and every close leaves through the writer of its session,
/// in the order its callers queue them. The reactor's outbound queue underneath is the ordered, thread-safe byte queue;
/// the writer decides what a refused send means, once for every kind of frame: a WebSocket frame the queue refuses
/// (past its high-water mark) drops the peer as a slow consumer. Callers still get the result, for their own
/// bookkeeping only (the broadcast stage takes a dropped peer out of its room). Thread-safe: stage workers, the sweeper,
/// the replayer and HTTP continuations write to one connection concurrently. Allocates nothing per frame.
/// </summary>
internal sealed partial class ConnectionWriter(Session session, ServerMetrics metrics, ILogger logger)
{
    private readonly Connection _connection = session.Connection;
    /// <summary>1 once this writer closed the connection: two threads that both find the queue full close and count it once.</summary>
    private int _closed;

    /// <summary>Queues one WebSocket frame; a full queue drops the peer (<see cref="SendResult.Dropped"/> is returned after the drop).</summary>
    public SendResult Send(SharedBuffer frame, int offset, int length)
    {
        var result = _connection.Send(frame, offset, length);
        if (result == SendResult.Dropped) DropSlowConsumer();
        return result;
    }

    /// <summary>
    /// Queues a broadcast frame: its compressed twin where the peer negotiated permessage-deflate with a window the
    /// message fits in, else the plain frame.
    /// </summary>
    public SendResult Send(SharedBuffer frame, int offset, int length, in DeflatedVariant deflated) =>
        deflated.FitsFor(session) ? Send(frame, deflated.Offset, deflated.Length) : Send(frame, offset, length);

    /// <summary>A ping or pong with its payload (at most 125 bytes, RFC 6455 section 5.5).</summary>
    public SendResult SendControl(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        var buffer = SharedBuffer.Rent(FrameEncoder.MaxControlFrameLength);
        var length = FrameEncoder.WriteControl(buffer.Span, opcode, payload);
        var result = Send(buffer, 0, length);
        buffer.Release();
        return result;
    }

    /// <summary><c>{"messageType":"error","error":"…"}</c> to this client alone; the connection stays open.</summary>
    public SendResult SendError(string reason)
    {
        var buffer = SharedBuffer.Rent(ChatMessageEncoder.MaxErrorFrameLength(reason.Length));
        var length = ChatMessageEncoder.WriteErrorFrame(reason, buffer.Span);
        var result = Send(buffer, 0, length);
        buffer.Release();
        return result;
    }

    /// <summary>Ends the WebSocket conversation with a close frame: after what is queued, or instead of it when <paramref name="discardQueued"/>.</summary>
    public void Close(CloseStatus status, string reason, bool discardQueued = false)
    {
        if (_connection.IsClosing) return;
        var frame = SessionCloser.Frame(status, reason, out var length);
        CloseOnce(frame, length, discardQueued, (int)status, reason);
        frame.Release();
    }

    /// <summary>
    /// The broadcast stage's end of <see cref="SessionCloser.After"/>: the close frame built upstream, now that the
    /// messages before it are queued.
    /// </summary>
    public void CloseAfterMessages(SharedBuffer frame, int length)
    {
        CloseOnce(frame, length, discardQueued: false, status: 0, "close after the client's messages");
        frame.Release();
    }

    /// <summary>
    /// The one place a connection is closed, with its counting and logging: a close frame or last HTTP answer (or
    /// none) after what is queued, then the graceful close. False when the connection was already closing.
    /// </summary>
    /// <param name="status">The WebSocket close code or HTTP status said last, 0 for none: for the log.</param>
    private bool CloseOnce(SharedBuffer? lastWords, int length, bool discardQueued, int status, string why)
    {
        if (_connection.IsClosing || Interlocked.Exchange(ref _closed, 1) == 1) return false;
        PipelineLog.Closing(logger, session.Id, status, why);
        _connection.Close(lastWords, 0, length, discardQueued);
        return true;
    }

    /// <summary>
    /// The one way a peer that does not read is dropped, whichever frame found its queue full: counted in
    /// <c>chat_slow_consumers_dropped_total</c>, logged, and closed with 1008 without what it has not started to
    /// receive. A connection already closing is neither counted nor logged again.
    /// </summary>
    public void DropSlowConsumer()
    {
        if (_connection.IsClosing) return;
        const string Reason = "too slow: send queue over the limit";
        var frame = SessionCloser.Frame(CloseStatus.PolicyViolation, Reason, out var length);
        if (CloseOnce(frame, length, discardQueued: true, (int)CloseStatus.PolicyViolation, Reason))
        {
            ServerMetrics.Add(ref metrics.SlowConsumersDropped);
            PipelineLog.SlowConsumer(logger, session.Id, _connection.RemoteEndPoint.ToString());
        }
        frame.Release();
    }
}
