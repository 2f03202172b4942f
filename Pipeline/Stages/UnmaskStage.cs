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
                            var message = Unmask(session, StateOf(session), item);
                            if (message.Session is not null) await output.WriteAsync(message).ConfigureAwait(false);
                            break;
                        case ItemKind.Violation:
                            var close = Fail(session, StateOf(session), item.Violation, item.Reason!);
                            if (close.Session is not null) await output.WriteAsync(close).ConfigureAwait(false);
                            break;
                        case ItemKind.Closed:
                            if (session.Unmask is { } state) ReturnAssembly(state);
                            session.Unmask = null;
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
    private MessageItem Unmask(Session session, UnmaskState state, in FrameItem item)
    {
        var buffer = item.Buffer;
        var payload = buffer is null ? Span<byte>.Empty : buffer.AsSpan(0, item.Count);
        // Not on Connection.IsClosing: a peer's FIN closes the connection while messages it sent before are still on
        // their way here, and those are stored and broadcast like any other.
        if (state.WebSocketClosed)
        {
            Return(buffer);
            return default;
        }
        var header = item.Header;
        if (item.Offset == 0 && CountsAsControl(header) && !WithinControlBudget(state))
        {
            Return(buffer);
            return Fail(session, state, CloseStatus.PolicyViolation, "too many control frames");
        }
        Unmasker.Unmask(payload, header.MaskKey, item.Offset);
        if (header.IsControl)
        {
            payload.CopyTo(state.Control.AsSpan(state.ControlLength));
            state.ControlLength += payload.Length;
            Return(buffer);
            return item.FrameEnd ? Control(session, state, header.Opcode) : default;
        }

        var firstPiece = header.Opcode != Opcode.Continuation && item.Offset == 0;
        if (firstPiece)
        {
            state.MessageIsBinary = header.Opcode == Opcode.Binary;
            state.MessageCompressed = header.Compressed;
            state.Utf8.Reset();
        }
        if (state.MessageIsBinary)
        {
            Return(buffer);
            return Fail(session, state, CloseStatus.UnsupportedData, "binary messages are not accepted");
        }
        var messageEnd = item.FrameEnd && header.Fin;
        if (state.MessageCompressed) return Compressed(session, state, buffer, payload, firstPiece, messageEnd);
        if (state.Utf8.Validate(payload) == Utf8Status.Invalid || (messageEnd && !state.Utf8.IsComplete))
        {
            Return(buffer);
            return Fail(session, state, CloseStatus.InvalidPayloadData, "text is not valid UTF-8");
        }
        if (messageEnd && firstPiece && buffer is not null)
        {
            // The whole message arrived as one piece: its buffer travels on without a copy.
            return MessageItem.Message(session, buffer, item.Count);
        }
        Append(state, payload);
        Return(buffer);
        if (!messageEnd) return default;
        var assembled = state.Assembly!;
        var length = state.AssemblyLength;
        state.Assembly = null;
        state.AssemblyLength = 0;
        return MessageItem.Message(session, assembled, length);
    }

    /// <summary>
    /// A piece of a compressed message: kept as it came until the message is complete, then inflated at once (every
    /// client was asked for client_no_context_takeover, so one inflater serves all connections, message by message).
    /// </summary>
    private MessageItem Compressed(Session session, UnmaskState state, byte[]? buffer, ReadOnlySpan<byte> payload, bool firstPiece, bool messageEnd)
    {
        if (messageEnd && firstPiece)
        {
            var whole = Inflate(session, state, payload);
            Return(buffer);
            return whole;
        }
        Append(state, payload);
        Return(buffer);
        if (!messageEnd) return default;
        var inflated = Inflate(session, state, state.Assembly.AsSpan(0, state.AssemblyLength));
        ReturnAssembly(state);
        return inflated;
    }

    /// <summary>
    /// Inflates one message into the stage's scratch buffer, bounded by the message limit (a deflate bomb stops there
    /// with 1009), checks its UTF-8, and hands it on in a buffer of its own size.
    /// </summary>
    private MessageItem Inflate(Session session, UnmaskState state, ReadOnlySpan<byte> compressed)
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
                return Fail(session, state, CloseStatus.MessageTooBig, "message too big once inflated");
            case InflateStatus.Invalid:
                return Fail(session, state, CloseStatus.InvalidPayloadData, "compressed message is not valid deflate data");
        }
        var text = inflated.AsSpan(0, written);
        if (state.Utf8.Validate(text) == Utf8Status.Invalid || !state.Utf8.IsComplete)
        {
            return Fail(session, state, CloseStatus.InvalidPayloadData, "text is not valid UTF-8");
        }
        var message = BufferPool.Shared.Rent(Math.Max(written, 1));
        text.CopyTo(message);
        return MessageItem.Message(session, message, written);
    }

    private void Append(UnmaskState state, ReadOnlySpan<byte> payload)
    {
        var needed = state.AssemblyLength + payload.Length;
        if (state.Assembly is null || state.Assembly.Length < needed)
        {
            var bigger = BufferPool.Shared.Rent(Math.Max(Math.Max(needed, 256), Math.Min(options.MaxMessageBytes, needed * 2)));
            if (state.Assembly is not null)
            {
                state.Assembly.AsSpan(0, state.AssemblyLength).CopyTo(bigger);
                BufferPool.Shared.Return(state.Assembly);
            }
            state.Assembly = bigger;
        }
        payload.CopyTo(state.Assembly.AsSpan(state.AssemblyLength));
        state.AssemblyLength = needed;
    }

    /// <summary>Pings, pongs, and empty continuations (which carry nothing but cost a decode each) draw on the budget.</summary>
    private static bool CountsAsControl(in FrameHeader header) =>
        header.Opcode is Opcode.Ping or Opcode.Pong || (header.Opcode == Opcode.Continuation && header.PayloadLength == 0);

    private bool WithinControlBudget(UnmaskState state) =>
        options.ControlFramesPerSecond == 0
        || state.ControlRate.TryTake(Stopwatch.GetTimestamp(), options.ControlFramesPerSecond, options.ControlFramesPerSecond);

    private MessageItem Control(Session session, UnmaskState state, Opcode opcode)
    {
        var payload = state.Control.AsSpan(0, state.ControlLength);
        state.ControlLength = 0;
        switch (opcode)
        {
            case Opcode.Ping:
                var sent = session.Writer.SendControl(Opcode.Pong, payload);
                // RFC 6455 section 5.5.2 owes the peer this pong: one that cannot be queued ends the connection
                // instead of vanishing (a peer that pings and never reads fills its own queue).
                if (sent == SendResult.Dropped)
                {
                    abuse.Record(session.Connection, AbuseKind.LimitClose, "1008 pong could not be queued");
                    state.WebSocketClosed = true;
                    ReturnAssembly(state);
                }
                return default;
            case Opcode.Close:
                state.WebSocketClosed = true;
                ReturnAssembly(state);
                var error = CloseFrameParser.Parse(payload, out var code);
                if (error is CloseFrameError.None or CloseFrameError.Empty)
                {
                    state.ClosePending = true;
                    return SessionCloser.EchoAfter(session, error == CloseFrameError.None ? code : (ushort)CloseStatus.NormalClosure);
                }
                return error switch
                {
                    CloseFrameError.OneBytePayload => Fail(session, state, CloseStatus.ProtocolError, "close payload of one byte"),
                    CloseFrameError.InvalidCode => Fail(session, state, CloseStatus.ProtocolError, "invalid close code"),
                    _ => Fail(session, state, CloseStatus.ProtocolError, "close reason is not valid UTF-8"),
                };
            default:
                return default;
        }
    }

    /// <summary>Once per connection: counts the violation and returns the close that follows its earlier messages.</summary>
    private MessageItem Fail(Session session, UnmaskState state, CloseStatus status, string reason)
    {
        if (state.ClosePending) return default;
        ServerMetrics.Add(ref metrics.ProtocolErrors);
        var kind = status is CloseStatus.PolicyViolation or CloseStatus.MessageTooBig ? AbuseKind.LimitClose : AbuseKind.ProtocolError;
        abuse.Record(session.Connection, kind, $"{(int)status} {reason}");
        state.WebSocketClosed = true;
        state.ClosePending = true;
        ReturnAssembly(state);
        return SessionCloser.After(session, status, reason);
    }

    /// <summary>Made at the connection's first frame.</summary>
    private static UnmaskState StateOf(Session session) => session.Unmask ??= new UnmaskState();

    private static void ReturnAssembly(UnmaskState state)
    {
        if (state.Assembly is null) return;
        BufferPool.Shared.Return(state.Assembly);
        state.Assembly = null;
        state.AssemblyLength = 0;
    }

    private static void Return(byte[]? buffer)
    {
        if (buffer is not null) BufferPool.Shared.Return(buffer);
    }
}
