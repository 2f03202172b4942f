using System.Text;

namespace Chat.Pipeline.Codecs;

/// <summary>The tail of a message whose text is UTF-16 (read back from the store): for replay and /chat-history.</summary>
internal static partial class ChatMessageEncoder
{
    /// <summary>
    /// Upper bound of <see cref="WriteTail(ReadOnlySpan{byte}, string, string, DateTime, Span{byte})"/>
    /// for these lengths: the tail's bound for the longest UTF-8 of the text, plus room for that UTF-8 itself.
    /// </summary>
    public static int MaxTailLength(int roomBytes, string username, string comment)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(comment);
        int usernameBytes = Encoding.UTF8.GetMaxByteCount(username.Length);
        int commentBytes = Encoding.UTF8.GetMaxByteCount(comment.Length);
        return MaxTailLength(roomBytes, usernameBytes, commentBytes) + usernameBytes + commentBytes;
    }

    /// <summary>
    /// The tail of <see cref="WriteTail(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, DateTime, Span{byte})"/>
    /// from UTF-16 text (a lone surrogate becomes U+FFFD, as the store's own UTF-8 would); returns bytes written.
    /// destination must hold <see cref="MaxTailLength(int, string, string)"/> bytes. A null text is a store's bug, not
    /// input: it throws rather than pass for an empty name or comment.
    /// </summary>
    public static int WriteTail(ReadOnlySpan<byte> room, string username, string comment, DateTime timestampUtc, Span<byte> destination)
    {
        if (destination.Length < MaxTailLength(room.Length, username, comment))
        {
            throw new ArgumentException("destination is shorter than MaxTailLength", nameof(destination));
        }

        // The text's UTF-8 goes to the end of destination, past the longest tail that can be written from it: the
        // tail, written from the start, never reaches what it still reads, and nothing is rented per message.
        int usernameRoom = Encoding.UTF8.GetMaxByteCount(username.Length);
        int scratchLength = usernameRoom + Encoding.UTF8.GetMaxByteCount(comment.Length);
        Span<byte> scratch = destination[^scratchLength..];
        int usernameBytes = Encoding.UTF8.GetBytes(username, scratch);
        int commentBytes = Encoding.UTF8.GetBytes(comment, scratch[usernameRoom..]);
        return WriteTail(room, scratch[..usernameBytes], scratch.Slice(usernameRoom, commentBytes), timestampUtc,
            destination[..^scratchLength]);
    }
}
