using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Reactor;

namespace Chat.Pipeline.Stages;

/// <summary>
/// Stage 6: encodes each chat message once into a shared frame buffer: everything but the id and the frame header,
/// which the broadcast stage writes in front of it once the store has given the id.
/// </summary>
internal sealed class EncodeStage(ChannelReader<MessageItem> input, ChannelWriter<MessageItem> output, ConnectionFaults faults)
{
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

    private static MessageItem Encode(in MessageItem item)
    {
        var username = item.Session.UsernameEscaped;
        var comment = item.Buffer.AsSpan(0, item.Count);
        var room = item.Session.Room!.NameUtf8;
        var frame = SharedBuffer.Rent(ChatMessageEncoder.HeadRoom + ChatMessageEncoder.MaxTailLength(room.Length, username.Length, comment.Length));
        var tail = ChatMessageEncoder.WriteTail(room, username, comment, item.Timestamp, frame.Span[ChatMessageEncoder.HeadRoom..]);
        return item.WithFrame(frame, tail);
    }
}
