using System.Buffers.Text;

namespace Chat.LoadTests.Client;

/// <summary>
/// The load runner's chat messages. The comment carries who sent it and when, so that a receiver can check order,
/// duplicates and losses per sender and compute end-to-end latency: <c>RUN.SENDER.SEQ.STAMP.</c> padded with 'x' to
/// the requested comment length. STAMP is <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> of the sender, so
/// sender and receiver must be the same process (they are: the runner).
/// </summary>
internal static class ChatPayload
{
    private static ReadOnlySpan<byte> Prefix => "{\"messageType\":\"chatMessage\",\"comment\":\""u8;
    private static ReadOnlySpan<byte> Suffix => "\"}"u8;
    private static ReadOnlySpan<byte> IdKey => "\"id\""u8;
    private static ReadOnlySpan<byte> CommentKey => "\"comment\""u8;

    /// <summary>The shortest comment that holds the tag fields; shorter requested sizes are raised to it.</summary>
    public const int MinCommentLength = 56;

    // Room for the widest tag (10 + 10 + 19 + 19 digits and 4 dots), whatever the comment length.
    public static int MaxLength(int commentLength) => Prefix.Length + Math.Max(commentLength, 62) + Suffix.Length;

    /// <summary>Writes the client message JSON; returns its length.</summary>
    public static int Write(Span<byte> destination, int run, int sender, long sequence, long stamp, int commentLength)
    {
        Prefix.CopyTo(destination);
        var position = Prefix.Length;
        var start = position;
        position += Field(destination[position..], run);
        position += Field(destination[position..], sender);
        position += Field(destination[position..], sequence);
        position += Field(destination[position..], stamp);
        var end = Math.Max(start + Math.Max(commentLength, MinCommentLength), position);
        destination[position..end].Fill((byte)'x');
        Suffix.CopyTo(destination[end..]);
        return end + Suffix.Length;
    }

    /// <summary>
    /// Reads the id and the tag of a server chatMessage. False for anything else (an error frame, a message not sent
    /// by a load runner); <paramref name="tag"/> then is default.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out long id, out PayloadTag tag)
    {
        id = 0;
        tag = default;
        if (!TryValueStart(json, IdKey, out var idStart) || !Utf8Parser.TryParse(json[idStart..], out id, out _)) return false;
        if (!TryValueStart(json, CommentKey, out var commentStart) || json[commentStart] != (byte)'"') return false;
        var comment = json[(commentStart + 1)..];
        if (!TryField(ref comment, out var run) || !TryField(ref comment, out var sender) ||
            !TryField(ref comment, out var sequence) || !TryField(ref comment, out var stamp))
        {
            return false;
        }

        tag = new PayloadTag((int)run, (int)sender, sequence, stamp);
        return true;
    }

    private static int Field(Span<byte> destination, long value)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        destination[written] = (byte)'.';
        return written + 1;
    }

    private static bool TryField(ref ReadOnlySpan<byte> text, out long value)
    {
        if (!Utf8Parser.TryParse(text, out value, out var consumed) || consumed >= text.Length || text[consumed] != (byte)'.') return false;
        text = text[(consumed + 1)..];
        return true;
    }

    // The server may format its JSON with or without spaces (ours does not, the baseline may): skip them.
    private static bool TryValueStart(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key, out int start)
    {
        start = 0;
        var at = json.IndexOf(key);
        if (at < 0) return false;
        var i = at + key.Length;
        while (i < json.Length && json[i] is (byte)' ' or (byte)':') i++;
        start = i;
        return i < json.Length;
    }
}
