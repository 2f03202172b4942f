namespace Chat.Pipeline.Codecs;

/// <summary>
/// The one writer of a chat message's JSON, for live frames, replay and /chat-history alike, so that the same message
/// is the same bytes everywhere. Frames are built backwards: the Encode stage writes the tail (everything after the id)
/// once, and the Broadcast stage, once the store assigned the id, writes id, JSON prefix and frame header right-aligned
/// in the head room in front of the tail, so the tail is never copied.
/// </summary>
internal static partial class ChatMessageEncoder
{
    /// <summary>
    /// Max WebSocket header (10) + <c>{"messageType":"chatMessage","id":</c> (34 bytes) + the digits of a
    /// non-negative long (at most 19).
    /// </summary>
    public const int HeadRoom = MaxFrameHeader + MaxIdPrefixLength;

    /// <summary>Upper bound of <see cref="WriteIdPrefix"/>: the JSON prefix and the digits of a non-negative long.</summary>
    public const int MaxIdPrefixLength = 34 + 19;

    private const int MaxFrameHeader = 10;
    private const int TimestampLength = 24;

    private static ReadOnlySpan<byte> Prefix => "{\"messageType\":\"chatMessage\",\"id\":"u8;

    private static ReadOnlySpan<byte> RoomField => ",\"room\":\""u8;

    private static ReadOnlySpan<byte> UsernameField => "\",\"username\":\""u8;

    private static ReadOnlySpan<byte> CommentField => "\",\"comment\":\""u8;

    private static ReadOnlySpan<byte> TimestampField => "\",\"timestamp\":\""u8;

    private static ReadOnlySpan<byte> TailEnd => "\"}"u8;

    private static ReadOnlySpan<byte> ErrorPrefix => "{\"messageType\":\"error\",\"error\":\""u8;

    /// <summary>Upper bound of <see cref="WriteTail"/> for these input lengths (every byte escaped as \u00XX).</summary>
    public static int MaxTailLength(int roomBytes, int usernameBytes, int commentBytes) =>
        RoomField.Length + roomBytes + UsernameField.Length + CommentField.Length + TimestampField.Length + TimestampLength + TailEnd.Length
        + (JsonStringEscaper.MaxExpansion * (usernameBytes + commentBytes));

    /// <summary>
    /// Writes <c>,"room":"…","username":"…","comment":"…","timestamp":"yyyy-MM-ddTHH:mm:ss.fffZ"}</c>; returns bytes
    /// written. room is a room name (ASCII a-z 0-9 - _, written as it is); username and comment are UTF-8, already
    /// HTML-escaped; what JSON still needs escaping is escaped here. destination must hold <see cref="MaxTailLength"/> bytes.
    /// </summary>
    public static int WriteTail(
        ReadOnlySpan<byte> room, ReadOnlySpan<byte> username, ReadOnlySpan<byte> comment, DateTime timestampUtc, Span<byte> destination)
    {
        if (destination.Length < MaxTailLength(room.Length, username.Length, comment.Length))
        {
            throw new ArgumentException("destination is shorter than MaxTailLength", nameof(destination));
        }

        int w = Append(RoomField, destination, 0);
        w = Append(room, destination, w);
        w = Append(UsernameField, destination, w);
        w += JsonStringEscaper.Escape(username, destination[w..]);
        w = Append(CommentField, destination, w);
        w += JsonStringEscaper.Escape(comment, destination[w..]);
        w = Append(TimestampField, destination, w);
        w += WriteTimestamp(timestampUtc, destination[w..]);
        return Append(TailEnd, destination, w);
    }

    /// <summary>
    /// Writes, right-aligned at the end of headRoom, the frame header (FIN + Text, unmasked), the JSON prefix and the
    /// decimal id. Returns the start of the frame in headRoom: with headRoom = buffer[0..HeadRoom] and the tail right
    /// after it, the frame is buffer[start..(HeadRoom + tailLength)].
    /// </summary>
    public static int WriteHead(long id, int tailLength, Span<byte> headRoom)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        int prefixStart = headRoom.Length - Prefix.Length - CountDigits((ulong)id);
        int prefixLength = WriteIdPrefix(id, headRoom[prefixStart..]);
        long payloadLength = prefixLength + (long)tailLength;
        int start = prefixStart - FrameEncoder.HeaderLength(payloadLength);
        FrameEncoder.WriteHeader(headRoom[start..], Opcode.Text, fin: true, payloadLength);
        return start;
    }

    /// <summary>
    /// Writes <c>{"messageType":"chatMessage","id":N</c>, the payload's start before the tail; returns bytes written.
    /// destination must hold <see cref="MaxIdPrefixLength"/> bytes, or exactly the prefix and the digits of id.
    /// </summary>
    public static int WriteIdPrefix(long id, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        int w = Append(Prefix, destination, 0);
        id.TryFormat(destination[w..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        return w + digits;
    }

    /// <summary>Upper bound of <see cref="WriteErrorFrame"/> for a reason of reasonChars UTF-16 chars.</summary>
    public static int MaxErrorFrameLength(int reasonChars) =>
        MaxFrameHeader + ErrorPrefix.Length + (JsonStringEscaper.MaxExpansion * reasonChars) + TailEnd.Length;

    /// <summary>
    /// A complete text frame <c>{"messageType":"error","error":"…"}</c>; destination must hold
    /// <see cref="MaxErrorFrameLength"/> bytes. Returns bytes written.
    /// </summary>
    public static int WriteErrorFrame(string reason, Span<byte> destination)
    {
        if (destination.Length < MaxErrorFrameLength(reason.Length))
        {
            throw new ArgumentException("destination is shorter than MaxErrorFrameLength", nameof(destination));
        }

        // The payload is written after the longest possible header, then moved up to the header it really needs.
        Span<byte> payload = destination[MaxFrameHeader..];
        int p = Append(ErrorPrefix, payload, 0);
        p += JsonStringEscaper.Escape(reason, payload[p..]);
        p = Append(TailEnd, payload, p);
        int header = FrameEncoder.HeaderLength(p);
        payload[..p].CopyTo(destination[header..]);
        FrameEncoder.WriteHeader(destination, Opcode.Text, fin: true, p);
        return header + p;
    }

    private static int Append(ReadOnlySpan<byte> literal, Span<byte> destination, int at)
    {
        literal.CopyTo(destination[at..]);
        return at + literal.Length;
    }

    private static int CountDigits(ulong value)
    {
        int digits = 1;
        for (; value >= 10; value /= 10)
        {
            digits++;
        }

        return digits;
    }

    // ISO 8601 with milliseconds and Z, as the wire contract shows: 2026-11-28T06:00:00.000Z.
    private static int WriteTimestamp(DateTime timestamp, Span<byte> destination)
    {
        if (timestamp.Kind == DateTimeKind.Local)
        {
            timestamp = timestamp.ToUniversalTime();
        }

        AsciiDigits.Write(destination, 0, timestamp.Year, 4);
        destination[4] = (byte)'-';
        AsciiDigits.Write(destination, 5, timestamp.Month, 2);
        destination[7] = (byte)'-';
        AsciiDigits.Write(destination, 8, timestamp.Day, 2);
        destination[10] = (byte)'T';
        AsciiDigits.Write(destination, 11, timestamp.Hour, 2);
        destination[13] = (byte)':';
        AsciiDigits.Write(destination, 14, timestamp.Minute, 2);
        destination[16] = (byte)':';
        AsciiDigits.Write(destination, 17, timestamp.Second, 2);
        destination[19] = (byte)'.';
        AsciiDigits.Write(destination, 20, timestamp.Millisecond, 3);
        destination[23] = (byte)'Z';
        return TimestampLength;
    }
}
