using Chat.Pipeline.Codecs;
using Chat.Reactor;
using Chat.Storage;

namespace Chat.Pipeline.Replay;

/// <summary>Encodes a stored message as the same chatMessage frame that broadcast sent for it.</summary>
internal static class StoredFrames
{
    public static SharedBuffer Encode(StoredMessage message, byte[] room, out int offset, out int length)
    {
        var frame = SharedBuffer.Rent(ChatMessageEncoder.HeadRoom + ChatMessageEncoder.MaxTailLength(room.Length, message.Username, message.Comment));
        var tail = ChatMessageEncoder.WriteTail(room, message.Username, message.Comment, message.Timestamp, frame.Span[ChatMessageEncoder.HeadRoom..]);
        offset = ChatMessageEncoder.WriteHead(message.Id, tail, frame.Span[..ChatMessageEncoder.HeadRoom]);
        length = ChatMessageEncoder.HeadRoom - offset + tail;
        return frame;
    }
}
