using System.Text;
using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Pipeline.Codecs;

/// <summary>
/// The one chat-message serialiser: the tail written from stored UTF-16 text (replay, /chat-history) is the tail the
/// live path writes from UTF-8, and a history element (id prefix + tail) is the frame's payload.
/// </summary>
public sealed class ChatMessageEncoderTests
{
    private static readonly DateTime Timestamp = new(2026, 11, 28, 6, 0, 0, 123, DateTimeKind.Utc);

    [Theory]
    [InlineData("plain")]
    [InlineData("a\u2028b\u2029c")]
    [InlineData("\U0001F600 \U0001D11E")]
    [InlineData("\"q\" back\\slash \u0001\u001f\t\n\r\b\f")]
    [InlineData("&lt;b&gt; &amp; &#39; \u00e9")]
    public void The_tail_from_utf16_text_is_the_tail_from_its_utf8(string text)
    {
        var fromUtf8 = TailOf(Encoding.UTF8.GetBytes("name"), Encoding.UTF8.GetBytes(text));
        var fromUtf16 = TailOf("name", text);

        Assert.Equal(Convert.ToHexString(fromUtf8), Convert.ToHexString(fromUtf16));
    }

    [Fact]
    public void A_lone_surrogate_in_utf16_text_is_written_as_U_FFFD()
    {
        var tail = Encoding.UTF8.GetString(TailOf("name", "a\ud800b"));

        Assert.Contains("\"comment\":\"a\ufffdb\"", tail);
    }

    [Fact]
    public void Text_that_escapes_to_six_bytes_a_byte_fits_the_bound_exactly_and_is_read_before_it_is_overwritten()
    {
        // The worst case of the bound: every character a control, each written as \u00XX, with the UTF-8 of the text
        // kept at the end of the same destination.
        var text = new string('\u0001', 1000);
        var destination = new byte[ChatMessageEncoder.MaxTailLength("general"u8.Length, "name", text)];

        var written = ChatMessageEncoder.WriteTail("general"u8, "name", text, Timestamp, destination);

        var tail = Encoding.UTF8.GetString(destination, 0, written);
        Assert.Equal($",\"room\":\"general\",\"username\":\"name\",\"comment\":\"{string.Concat(Enumerable.Repeat("\\u0001", 1000))}\",\"timestamp\":\"2026-11-28T06:00:00.123Z\"}}", tail);
    }

    [Fact]
    public void The_id_prefix_and_tail_are_the_payload_of_the_frame_built_from_them()
    {
        var tail = TailOf("name", "hello \u2028");
        var frame = new byte[ChatMessageEncoder.HeadRoom + tail.Length];
        tail.CopyTo(frame, ChatMessageEncoder.HeadRoom);
        var start = ChatMessageEncoder.WriteHead(4242, tail.Length, frame.AsSpan(0, ChatMessageEncoder.HeadRoom));
        var element = new byte[ChatMessageEncoder.MaxIdPrefixLength + tail.Length];
        var prefix = ChatMessageEncoder.WriteIdPrefix(4242, element);
        tail.CopyTo(element, prefix);

        var payload = frame.AsSpan(start + FrameEncoder.HeaderLength(prefix + tail.Length)).ToArray();
        Assert.Equal(Convert.ToHexString(element, 0, prefix + tail.Length), Convert.ToHexString(payload));
        Assert.StartsWith("{\"messageType\":\"chatMessage\",\"id\":4242,\"room\":\"general\"", Encoding.UTF8.GetString(payload));
    }

    private static byte[] TailOf(byte[] username, byte[] comment)
    {
        var destination = new byte[ChatMessageEncoder.MaxTailLength("general"u8.Length, username.Length, comment.Length)];
        var written = ChatMessageEncoder.WriteTail("general"u8, username, comment, Timestamp, destination);
        return destination[..written];
    }

    private static byte[] TailOf(string username, string comment)
    {
        var destination = new byte[ChatMessageEncoder.MaxTailLength("general"u8.Length, username, comment)];
        var written = ChatMessageEncoder.WriteTail("general"u8, username, comment, Timestamp, destination);
        return destination[..written];
    }
}
