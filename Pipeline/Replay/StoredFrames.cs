using System.Text;
using Chat.Pipeline.Codecs;
using Chat.Reactor;
using Chat.Storage;

namespace Chat.Pipeline.Replay;

/// <summary>Encodes a stored message as the same chatMessage frame that broadcast sent for it.</summary>
internal static class StoredFrames
{
    public static SharedBuffer Encode(StoredMessage message, byte[] room, out int offset, out int length)
    {
        var username = BufferPool.Shared.Rent(Encoding.UTF8.GetMaxByteCount(message.Username.Length));
        var comment = BufferPool.Shared.Rent(Encoding.UTF8.GetMaxByteCount(message.Comment.Length));
        var usernameLength = Encoding.UTF8.GetBytes(message.Username, username);
        var commentLength = Encoding.UTF8.GetBytes(message.Comment, comment);
        var frame = SharedBuffer.Rent(ChatMessageEncoder.HeadRoom + ChatMessageEncoder.MaxTailLength(room.Length, usernameLength, commentLength));
        var tail = ChatMessageEncoder.WriteTail(room, username.AsSpan(0, usernameLength), comment.AsSpan(0, commentLength),
            message.Timestamp, frame.Span[ChatMessageEncoder.HeadRoom..]);
        BufferPool.Shared.Return(username);
        BufferPool.Shared.Return(comment);
        offset = ChatMessageEncoder.WriteHead(message.Id, tail, frame.Span[..ChatMessageEncoder.HeadRoom]);
        length = ChatMessageEncoder.HeadRoom - offset + tail;
        return frame;
    }
}
