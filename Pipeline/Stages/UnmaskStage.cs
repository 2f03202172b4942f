using System.Diagnostics;
using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Sessions;
using Chat.Reactor;

namespace Chat.Pipeline.Stages;

/// <summary>
/// Stage 4: unmasks payload in place, validates text incrementally (a bad byte closes with 1007 before the message
/// ends), reassembles fragments, and answers control frames: ping with pong, close with its echo. Every server-sent
/// close for a protocol violation leaves from here, as an item behind the messages read before it (the client gets
/// their echoes first). Pings, pongs and empty continuation frames share a per-second budget per connection: a
/// flood of them is refused with 1008 instead of being answered without end.
/// </summary>
internal sealed class UnmaskStage(ChannelReader<FrameItem> input, ChannelWriter<MessageItem> output, PipelineOptions options, ServerMetrics metrics, AbuseReport abuse, ConnectionFaults faults)
{
    // Made at start when permessage-deflate is on (a runtime without the zlib entry points fails then, not mid-run);
    // a server without it never holds zlib state. Compressed messages come only on connections that negotiated it.
    private readonly Inflater? _inflater = options.PerMessageDeflate ? new Inflater() : null;
    private byte[]? _inflated;

    public async Task RunAsync()
    {
        while (await input.WaitToReadAsync().ConfigureAwait(false))
        {
            while (input.TryRead(out var item))
            {
                try
                {
                    var session = item.Session;
                    switch (item.Kind)
                    {
                        case ItemKind.FramePart:
                            var message = Unmask(session, item);
                            if (message.Session is not null) await output.WriteAsync(message).ConfigureAwait(false);
                            break;
                        case ItemKind.Violation:
                            var close = Fail(session, item.Violation, item.Reason!);
                            if (close.Session is not null) await output.WriteAsync(close).ConfigureAwait(false);
                            break;
                        case ItemKind.Join:
                            await output.WriteAsync(MessageItem.Join(session, item.Since)).ConfigureAwait(false);
                            break;
                        case ItemKind.Closed:
                            ReturnAssembly(session);
                            await output.WriteAsync(MessageItem.Closed(session)).ConfigureAwait(false);
                            break;
                    }
                }
                catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
                {
                    faults.Fail(PipelineStage.Unmask, item.Session, e);
                }
            }
        }
        output.TryComplete();
    }

    /// <summary>Handles one piece of a frame; returns a complete text message, a close to send after them, or default.</summary>
    private MessageItem Unmask(Session session, in FrameItem item)
    {
        var buffer = item.Buffer;
        var payload = buffer is null ? Span<byte>.Empty : buffer.AsSpan(0, item.Count);
        // Not on Connection.IsClosing: a peer's FIN closes the connection while messages it sent before are still on
        // their way here, and those are stored and broadcast like any other.
        if (session.WebSocketClosed)
        {
            Return(buffer);
            return default;
        }
        var header = item.Header;
        if (item.Offset == 0 && CountsAsControl(header) && !WithinControlBudget(session))
        {
            Return(buffer);
            return Fail(session, CloseStatus.PolicyViolation, "too many control frames");
        }
        Unmasker.Unmask(payload, header.MaskKey, item.Offset);
        if (header.IsControl)
        {
            payload.CopyTo(session.Control.AsSpan(session.ControlLength));
            session.ControlLength += payload.Length;
            Return(buffer);
            return item.FrameEnd ? Control(session, header.Opcode) : default;
        }

        var firstPiece = header.Opcode != Opcode.Continuation && item.Offset == 0;
        if (firstPiece)
        {
            session.MessageIsBinary = header.Opcode == Opcode.Binary;
            session.MessageCompressed = header.Compressed;
            session.Utf8.Reset();
        }
        if (session.MessageIsBinary)
        {
            Return(buffer);
            return Fail(session, CloseStatus.UnsupportedData, "binary messages are not accepted");
        }
        var messageEnd = item.FrameEnd && header.Fin;
        if (session.MessageCompressed) return Compressed(session, buffer, payload, firstPiece, messageEnd);
        if (session.Utf8.Validate(payload) == Utf8Status.Invalid || (messageEnd && !session.Utf8.IsComplete))
        {
            Return(buffer);
            return Fail(session, CloseStatus.InvalidPayloadData, "text is not valid UTF-8");
        }
        if (messageEnd && firstPiece && buffer is not null)
        {
            // The whole message arrived as one piece: its buffer travels on without a copy.
            return MessageItem.Message(session, buffer, item.Count);
        }
        Append(session, payload);
        Return(buffer);
        if (!messageEnd) return default;
        var assembled = session.Assembly!;
        var length = session.AssemblyLength;
        session.Assembly = null;
        session.AssemblyLength = 0;
        return MessageItem.Message(session, assembled, length);
    }

    /// <summary>
    /// A piece of a compressed message: kept as it came until the message is complete, then inflated at once (every
    /// client was asked for client_no_context_takeover, so one inflater serves all connections, message by message).
    /// </summary>
    private MessageItem Compressed(Session session, byte[]? buffer, ReadOnlySpan<byte> payload, bool firstPiece, bool messageEnd)
    {
        if (messageEnd && firstPiece)
        {
            var whole = Inflate(session, payload);
            Return(buffer);
            return whole;
        }
        Append(session, payload);
        Return(buffer);
        if (!messageEnd) return default;
        var inflated = Inflate(session, session.Assembly.AsSpan(0, session.AssemblyLength));
        ReturnAssembly(session);
        return inflated;
    }

    /// <summary>
    /// Inflates one message into the stage's scratch buffer, bounded by the message limit (a deflate bomb stops there
    /// with 1009), checks its UTF-8, and hands it on in a buffer of its own size.
    /// </summary>
    private MessageItem Inflate(Session session, ReadOnlySpan<byte> compressed)
    {
        var inflater = _inflater ?? throw new PipelineInvariantException("a compressed message on a server without permessage-deflate");
        var inflated = _inflated ??= new byte[options.MaxMessageBytes + 1];
        inflater.Reset();
        var written = 0;
        var status = inflater.Inflate(compressed, inflated, options.MaxMessageBytes, ref written);
        if (status == InflateStatus.Done) status = inflater.Finish(inflated, options.MaxMessageBytes, ref written);
        switch (status)
        {
            case InflateStatus.TooBig:
                return Fail(session, CloseStatus.MessageTooBig, "message too big once inflated");
            case InflateStatus.Invalid:
                return Fail(session, CloseStatus.InvalidPayloadData, "compressed message is not valid deflate data");
        }
        var text = inflated.AsSpan(0, written);
        if (session.Utf8.Validate(text) == Utf8Status.Invalid || !session.Utf8.IsComplete)
        {
            return Fail(session, CloseStatus.InvalidPayloadData, "text is not valid UTF-8");
        }
        var message = BufferPool.Shared.Rent(Math.Max(written, 1));
        text.CopyTo(message);
        return MessageItem.Message(session, message, written);
    }

    private void Append(Session session, ReadOnlySpan<byte> payload)
    {
        var needed = session.AssemblyLength + payload.Length;
        if (session.Assembly is null || session.Assembly.Length < needed)
        {
            var bigger = BufferPool.Shared.Rent(Math.Max(Math.Max(needed, 256), Math.Min(options.MaxMessageBytes, needed * 2)));
            if (session.Assembly is not null)
            {
                session.Assembly.AsSpan(0, session.AssemblyLength).CopyTo(bigger);
                BufferPool.Shared.Return(session.Assembly);
            }
            session.Assembly = bigger;
        }
        payload.CopyTo(session.Assembly.AsSpan(session.AssemblyLength));
        session.AssemblyLength = needed;
    }

    /// <summary>Pings, pongs, and empty continuations (which carry nothing but cost a decode each) draw on the budget.</summary>
    private static bool CountsAsControl(in FrameHeader header) =>
        header.Opcode is Opcode.Ping or Opcode.Pong || (header.Opcode == Opcode.Continuation && header.PayloadLength == 0);

    private bool WithinControlBudget(Session session) =>
        options.ControlFramesPerSecond == 0
        || session.ControlRate.TryTake(Stopwatch.GetTimestamp(), options.ControlFramesPerSecond, options.ControlFramesPerSecond);

    private MessageItem Control(Session session, Opcode opcode)
    {
        var payload = session.Control.AsSpan(0, session.ControlLength);
        session.ControlLength = 0;
        switch (opcode)
        {
            case Opcode.Ping:
                var pong = SharedBuffer.Rent(FrameEncoder.MaxControlFrameLength);
                var length = FrameEncoder.WriteControl(pong.Span, Opcode.Pong, payload);
                var sent = session.Connection.Send(pong, 0, length);
                pong.Release();
                // RFC 6455 section 5.5.2 owes the peer this pong: one that cannot be queued ends the connection
                // instead of vanishing (a peer that pings and never reads fills its own queue).
                if (sent == SendResult.Dropped)
                {
                    abuse.Record(session.Connection, AbuseKind.LimitClose, "1008 pong could not be queued");
                    session.WebSocketClosed = true;
                    ReturnAssembly(session);
                    SessionCloser.DropSlowConsumer(session, metrics, abuse.Logger);
                }
                return default;
            case Opcode.Close:
                session.WebSocketClosed = true;
                ReturnAssembly(session);
                var error = CloseFrameParser.Parse(payload, out var code);
                if (error is CloseFrameError.None or CloseFrameError.Empty)
                {
                    session.ClosePending = true;
                    return SessionCloser.EchoAfter(session, error == CloseFrameError.None ? code : (ushort)CloseStatus.NormalClosure);
                }
                return error switch
                {
                    CloseFrameError.OneBytePayload => Fail(session, CloseStatus.ProtocolError, "close payload of one byte"),
                    CloseFrameError.InvalidCode => Fail(session, CloseStatus.ProtocolError, "invalid close code"),
                    _ => Fail(session, CloseStatus.ProtocolError, "close reason is not valid UTF-8"),
                };
            default:
                return default;
        }
    }

    /// <summary>Once per connection: counts the violation and returns the close that follows its earlier messages.</summary>
    private MessageItem Fail(Session session, CloseStatus status, string reason)
    {
        if (session.ClosePending) return default;
        ServerMetrics.Add(ref metrics.ProtocolErrors);
        var kind = status is CloseStatus.PolicyViolation or CloseStatus.MessageTooBig ? AbuseKind.LimitClose : AbuseKind.ProtocolError;
        abuse.Record(session.Connection, kind, $"{(int)status} {reason}");
        session.WebSocketClosed = true;
        session.ClosePending = true;
        ReturnAssembly(session);
        return SessionCloser.After(session, status, reason);
    }

    private static void ReturnAssembly(Session session)
    {
        if (session.Assembly is null) return;
        BufferPool.Shared.Return(session.Assembly);
        session.Assembly = null;
        session.AssemblyLength = 0;
    }

    private static void Return(byte[]? buffer)
    {
        if (buffer is not null) BufferPool.Shared.Return(buffer);
    }
}
