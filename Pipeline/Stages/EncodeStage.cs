using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Reactor;

namespace Chat.Pipeline.Stages;

/// <summary>
/// Stage 6: encodes each chat message once into a shared frame buffer: everything but the id and the frame header,
/// which the broadcast stage writes in front of it once the store has given the id. With permessage-deflate on, it
/// also compresses that tail once, into the same buffer, for every receiver that negotiated it.
/// </summary>
internal sealed class EncodeStage(ChannelReader<MessageItem> input, ChannelWriter<MessageItem> output, PipelineOptions options, ConnectionFaults faults)
{
    private readonly Deflater? _deflater = options.PerMessageDeflate ? new Deflater(options.DeflateLevel) : null;

    public async Task RunAsync()
    {
        while (await input.WaitToReadAsync().ConfigureAwait(false))
        {
            while (input.TryRead(out var item))
            {
                try
                {
                    await output.WriteAsync(item.Kind == ItemKind.Chat ? Encode(item) : item).ConfigureAwait(false);
                }
                catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
                {
                    if (item.Kind == ItemKind.Chat) faults.Settle(item.Session);
                    faults.Fail(PipelineStage.Encode, item.Session, e);
                }
            }
        }
        output.TryComplete();
    }

    private MessageItem Encode(in MessageItem item)
    {
        var username = item.Session.Member!.UsernameEscaped;
        var comment = item.Buffer.AsSpan(0, item.Count);
        var room = item.Session.Member!.Room.NameUtf8;
        var maxTail = ChatMessageEncoder.MaxTailLength(room.Length, username.Length, comment.Length);
        var frame = SharedBuffer.Rent(ChatMessageEncoder.HeadRoom + maxTail + (_deflater is null ? 0 : DeflatedChatFrame.Room(maxTail)));
        var tail = ChatMessageEncoder.WriteTail(room, username, comment, item.Timestamp, frame.Span[ChatMessageEncoder.HeadRoom..]);
        // The JSON payload is the tail plus at least {"messageType":"chatMessage","id":N (35 bytes).
        var deflated = _deflater is not null && tail + 35 >= options.DeflateMinBytes
            ? DeflatedChatFrame.CompressTail(_deflater, frame.Span, tail)
            : 0;
        return item.WithFrame(frame, tail, deflated);
    }
}
