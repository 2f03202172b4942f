using Chat.Reactor;
using System.Diagnostics;
using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Stages;

/// <summary>
/// Stage 5: reads the client's JSON, answers a bad message with an error frame to that client alone, and HTML-escapes
/// the comment; a signalling message becomes its relay frame. Counts the connection's messages in flight and pauses
/// its reads past the limit. The rate limit refuses here, before storing, so every stored message is echoed to its
/// sender before the rate close.
/// </summary>
internal sealed class EscapeStage(ChannelReader<MessageItem> input, ChannelWriter<MessageItem> output, PipelineOptions options, ServerMetrics metrics, AbuseReport abuse, ConnectionFaults faults)
{
    private string? _rateMessage;

    public async Task RunAsync()
    {
        while (await input.WaitToReadAsync().ConfigureAwait(false))
        {
            while (input.TryRead(out var item))
            {
                try
                {
                    if (item.Kind != ItemKind.Message)
                    {
                        // Closed ends the escape stage's own state; everything else passes through.
                        if (item.Kind == ItemKind.Closed) item.Session.Escape = null;
                        await output.WriteAsync(item).ConfigureAwait(false);
                        continue;
                    }
                    var chat = Escape(item);
                    if (chat.Session is not null) await output.WriteAsync(chat).ConfigureAwait(false);
                }
                catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
                {
                    faults.Fail(PipelineStage.Escape, item.Session, e);
                }
            }
        }
        output.TryComplete();
    }

    private MessageItem Escape(in MessageItem item)
    {
        var session = item.Session;
        // Made at the connection's first message: a connection that never sends costs no state here.
        var state = session.Escape ??= new EscapeState();
        var json = item.Buffer!;
        if (state.RateClosed)
        {
            BufferPool.Shared.Return(json);
            return default;
        }
        if (!WithinRate(session, state))
        {
            BufferPool.Shared.Return(json);
            if (state.RateStrikes < options.RateLimitStrikes) return default;
            // Refused at the door, before storing; the close follows the echoes of every message accepted before it.
            state.RateClosed = true;
            abuse.Record(session.Connection, AbuseKind.LimitClose, "1008 message rate limit exceeded");
            return SessionCloser.After(session, CloseStatus.PolicyViolation, "message rate limit exceeded");
        }
        if (SignalCodec.Classify(json.AsSpan(0, item.Count)) is var signal && signal != SignalError.NotASignal)
        {
            return Signal(session, json, item.Count, signal);
        }
        var comment = BufferPool.Shared.Rent(Math.Max(item.Count, 1));
        var error = ClientMessageParser.Parse(json.AsSpan(0, item.Count), comment, options.MaxCommentChars, out var commentLength);
        BufferPool.Shared.Return(json);
        if (error != ClientMessageError.None)
        {
            BufferPool.Shared.Return(comment);
            ServerMetrics.Add(ref metrics.MessagesRejected);
            session.Writer.SendError(ClientMessageParser.Describe(error, options.MaxCommentChars));
            return default;
        }

        var escaped = BufferPool.Shared.Rent(HtmlEscaper.MaxEscapedLength(commentLength));
        HtmlEscaper.Escape(comment.AsSpan(0, commentLength), escaped, out _, out var escapedLength);
        BufferPool.Shared.Return(comment);
        ServerMetrics.Add(ref metrics.MessagesReceived);
        session.Pending.Add(options.MaxPendingMessagesPerConnection);
        return MessageItem.Chat(session, escaped, escapedLength, Now());
    }

    /// <summary>Relayed to the room, never stored: the frame is built here, once, and broadcast sends it to the others.</summary>
    private MessageItem Signal(Session session, byte[] json, int count, SignalError error)
    {
        if (error != SignalError.None)
        {
            BufferPool.Shared.Return(json);
            ServerMetrics.Add(ref metrics.MessagesRejected);
            session.Writer.SendError(SignalCodec.MemberRule);
            return default;
        }
        var room = session.Member!.Room.NameUtf8;
        var frame = SharedBuffer.Rent(SignalCodec.MaxFrameLength(count, session.Member!.UsernameEscaped.Length, room.Length));
        var length = SignalCodec.WriteFrame(json.AsSpan(0, count), session.Member!.UsernameEscaped, room, frame.Span, out var payloadStart);
        BufferPool.Shared.Return(json);
        ServerMetrics.Add(ref metrics.SignalsReceived);
        return MessageItem.Signal(session, frame, length, payloadStart);
    }

    /// <summary>
    /// Token bucket per connection: a message over the rate gets an error frame and is dropped; a client that keeps
    /// going gets close 1008 (the caller sends it, behind the messages accepted before).
    /// </summary>
    private bool WithinRate(Session session, EscapeState state)
    {
        if (options.MessagesPerSecond == 0 || state.Rate.TryTake(Stopwatch.GetTimestamp(), options.MessagesPerSecond, options.MessageBurst))
        {
            state.RateStrikes = 0;
            return true;
        }
        ServerMetrics.Add(ref metrics.MessagesRejected);
        if (++state.RateStrikes < options.RateLimitStrikes)
        {
            session.Writer.SendError(_rateMessage ??= $"too many messages: at most {options.MessagesPerSecond} per second; this one was dropped");
        }
        return false;
    }

    /// <summary>UTC now, truncated to the millisecond that the store and the wire carry.</summary>
    private static DateTime Now()
    {
        var ticks = DateTime.UtcNow.Ticks;
        return new DateTime(ticks - ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }
}
