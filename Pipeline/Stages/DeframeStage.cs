using Chat.Reactor;
using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Stages;

/// <summary>
/// Stage 3: runs each connection's frame decoder over its bytes (frames split across reads or many per read) and
/// passes each piece of payload on, still masked, as soon as it arrived, so that UTF-8 checks can fail fast.
/// Violations go on as items: the unmask stage owns the one path to the close frame.
/// </summary>
internal sealed class DeframeStage(ChannelReader<WireItem> input, ChannelWriter<FrameItem> output, PipelineOptions options, ConnectionFaults faults)
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
                        case ItemKind.Data:
                            await DecodeAsync(session, session.Deframe ??= NewState(session), item.Buffer!, item.Offset, item.Count).ConfigureAwait(false);
                            break;
                        case ItemKind.Closed:
                            session.Deframe = null;
                            await output.WriteAsync(FrameItem.Closed(session)).ConfigureAwait(false);
                            break;
                    }
                }
                catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
                {
                    faults.Fail(PipelineStage.Deframe, item.Session, e);
                }
            }
        }
        output.TryComplete();
    }

    /// <summary>Made at the connection's first bytes (the handshake negotiated its extensions before it forwarded any).</summary>
    private DeframeState NewState(Session session) =>
        new(new FrameDecoder(options.MaxMessageBytes, options.MaxMessageBytes, session.Member!.Deflate.Accepted));

    private async ValueTask DecodeAsync(Session session, DeframeState state, byte[] buffer, int offset, int count)
    {
        var position = offset;
        var end = offset + count;
        var failed = false;
        var status = FrameDecodeStatus.NeedMoreData;
        // A header that ends the read still needs one more call: an empty frame ends right there (FrameEnd). Bytes read
        // before the connection started closing are decoded even then: a client that sends messages, a close and its
        // FIN in one write has its messages stored (the reactor delivers nothing read after the close began).
        while ((position < end || status == FrameDecodeStatus.Header) && !failed)
        {
            status = state.Decoder.Decode(buffer.AsSpan(position, end - position), out var consumed, out var payload);
            var item = default(FrameItem);
            switch (status)
            {
                case FrameDecodeStatus.Payload:
                    var header = state.Decoder.Header;
                    var copy = BufferPool.Shared.Rent(payload.Length);
                    payload.CopyTo(copy);
                    var frameEnd = state.Decoder.PayloadOffset + payload.Length == header.PayloadLength;
                    item = FrameItem.Part(session, header, copy, payload.Length, state.Decoder.PayloadOffset, frameEnd);
                    break;
                case FrameDecodeStatus.FrameEnd when state.Decoder.Header.PayloadLength == 0:
                    item = FrameItem.Part(session, state.Decoder.Header, null, 0, 0, frameEnd: true);
                    break;
                case FrameDecodeStatus.Error:
                    item = FrameItem.Violated(session, state.Decoder.Error, state.Decoder.ErrorReason);
                    failed = true;
                    break;
            }
            position += consumed;
            if (item.Session is not null) await output.WriteAsync(item).ConfigureAwait(false);
            if (status == FrameDecodeStatus.NeedMoreData) break;
        }
        BufferPool.Shared.Return(buffer);
    }
}
