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
/// close for a protocol violation leaves from here.
/// </summary>
internal sealed class UnmaskStage(ChannelReader<FrameItem> input, ChannelWriter<MessageItem> output, PipelineOptions options, ServerMetrics metrics, ConnectionFaults faults)
{
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
                            Fail(session, item.Violation, item.Reason!);
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

    /// <summary>Handles one piece of a frame; returns a complete text message, or default.</summary>
    private MessageItem Unmask(Session session, in FrameItem item)
    {
        var buffer = item.Buffer;
        var payload = buffer is null ? Span<byte>.Empty : buffer.AsSpan(0, item.Count);
        if (session.WebSocketClosed || session.Connection.IsClosing)
        {
            Return(buffer);
            return default;
        }
        var header = item.Header;
        Unmasker.Unmask(payload, header.MaskKey, item.Offset);
        if (header.IsControl)
        {
            payload.CopyTo(session.Control.AsSpan(session.ControlLength));
            session.ControlLength += payload.Length;
            Return(buffer);
            if (item.FrameEnd) Control(session, header.Opcode);
            return default;
        }

        var firstPiece = header.Opcode != Opcode.Continuation && item.Offset == 0;
        if (firstPiece)
        {
            session.MessageIsBinary = header.Opcode == Opcode.Binary;
            session.Utf8.Reset();
        }
        if (session.MessageIsBinary)
        {
            Return(buffer);
            Fail(session, CloseStatus.UnsupportedData, "binary messages are not accepted");
            return default;
        }
        var messageEnd = item.FrameEnd && header.Fin;
        if (session.Utf8.Validate(payload) == Utf8Status.Invalid || (messageEnd && !session.Utf8.IsComplete))
        {
            Return(buffer);
            Fail(session, CloseStatus.InvalidPayloadData, "text is not valid UTF-8");
            return default;
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

    private void Control(Session session, Opcode opcode)
    {
        var payload = session.Control.AsSpan(0, session.ControlLength);
        session.ControlLength = 0;
        switch (opcode)
        {
            case Opcode.Ping:
                var pong = SharedBuffer.Rent(FrameEncoder.MaxControlFrameLength);
                var length = FrameEncoder.WriteControl(pong.Span, Opcode.Pong, payload);
                session.Connection.Send(pong, 0, length);
                pong.Release();
                break;
            case Opcode.Close:
                session.WebSocketClosed = true;
                switch (CloseFrameParser.Parse(payload, out var code))
                {
                    case CloseFrameError.None:
                        SessionCloser.Echo(session, code);
                        break;
                    case CloseFrameError.Empty:
                        SessionCloser.Echo(session, (ushort)CloseStatus.NormalClosure);
                        break;
                    case CloseFrameError.OneBytePayload:
                        Fail(session, CloseStatus.ProtocolError, "close payload of one byte");
                        break;
                    case CloseFrameError.InvalidCode:
                        Fail(session, CloseStatus.ProtocolError, "invalid close code");
                        break;
                    default:
                        Fail(session, CloseStatus.ProtocolError, "close reason is not valid UTF-8");
                        break;
                }
                break;
        }
    }

    private void Fail(Session session, CloseStatus status, string reason)
    {
        ServerMetrics.Add(ref metrics.ProtocolErrors);
        session.WebSocketClosed = true;
        ReturnAssembly(session);
        SessionCloser.Close(session, status, reason);
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
