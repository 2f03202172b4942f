using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Chat.LoadTests.Client;
using ServerFrame = Chat.LoadTests.Client.ServerFrame;

namespace Chat.UnitTests.LoadTests;

public sealed class LeanClientCodecTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(125, 2)]
    [InlineData(126, 4)]
    [InlineData(65535, 4)]
    [InlineData(65536, 10)]
    public void Client_frames_are_masked_with_the_shortest_length_form(int length, int lengthBytes)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var frame = new byte[ClientFrameWriter.MaxLength(length)];

        var written = ClientFrameWriter.Write(frame, ClientFrameWriter.Text, payload, 0xA1B2C3D4);

        Assert.Equal(lengthBytes + 4 + length, written);
        Assert.Equal(0x81, frame[0]);
        Assert.Equal(0x80, frame[1] & 0x80);
        var mask = frame.AsSpan(lengthBytes, 4).ToArray();
        Assert.Equal(0xA1B2C3D4, BinaryPrimitives.ReadUInt32BigEndian(mask));
        var unmasked = frame.AsSpan(lengthBytes + 4, length).ToArray().Select((b, i) => (byte)(b ^ mask[i & 3])).ToArray();
        Assert.Equal(payload, unmasked);
    }

    [Fact]
    public void Server_frame_reader_waits_for_whole_frames_at_every_split()
    {
        var payload = Encoding.UTF8.GetBytes(new string('a', 300));
        var frame = new byte[4 + payload.Length];
        frame[0] = 0x81;
        frame[1] = 126;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        payload.CopyTo(frame, 4);

        for (var split = 0; split < frame.Length; split++)
        {
            Assert.False(ServerFrameReader.TryRead(frame.AsSpan(0, split), 1 << 20, out _));
        }

        Assert.True(ServerFrameReader.TryRead(frame, 1 << 20, out var read));
        Assert.Equal(new ServerFrame(true, 1, 4, 300), read);
    }

    [Fact]
    public void Masked_or_oversized_server_frames_are_invalid_data()
    {
        Assert.Throws<InvalidDataException>(() => ServerFrameReader.TryRead([0x81, 0x85, 1, 2, 3, 4, 0], 1024, out _));
        Assert.Throws<InvalidDataException>(() => ServerFrameReader.TryRead([0x81, 127, 0, 0, 0, 1, 0, 0, 0, 0], 1024, out _));
    }

    [Fact]
    public void Handshake_accepts_only_a_101_with_the_rfc_accept_value()
    {
        // RFC 6455 section 1.3's example key and accept value.
        const string key = "dGhlIHNhbXBsZSBub25jZQ==";
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", HandshakeCodec.ExpectedAccept(key));
        var good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"u8;

        Assert.Equal(good.Length, HandshakeCodec.HeadLength(good));
        Assert.Equal(-1, HandshakeCodec.HeadLength(good[..^1]));
        Assert.Null(HandshakeCodec.Check(good, key));
        Assert.Equal("wrong Sec-WebSocket-Accept", HandshakeCodec.Check("HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: x\r\n\r\n"u8, key));
        Assert.StartsWith("handshake refused: HTTP/1.1 426", HandshakeCodec.Check("HTTP/1.1 426 Upgrade Required\r\n\r\n"u8, key));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    [InlineData(10)]
    public void Payload_tag_survives_the_servers_chat_message_with_or_without_spaces(int commentLength)
    {
        var buffer = new byte[ChatPayload.MaxLength(commentLength)];
        var stamp = Stopwatch.GetTimestamp();
        var length = ChatPayload.Write(buffer, run: 77, sender: 3, sequence: 12345, stamp: stamp, commentLength);
        var sent = Encoding.UTF8.GetString(buffer, 0, length);
        var comment = sent[(sent.IndexOf("\"comment\":\"", StringComparison.Ordinal) + 11)..^2];
        Assert.Equal(Math.Max(commentLength, ChatPayload.MinCommentLength), comment.Length);

        var compact = $"{{\"messageType\":\"chatMessage\",\"id\":901,\"username\":\"load3\",\"comment\":\"{comment}\",\"timestamp\":\"2026-12-01T00:00:00.000Z\"}}";
        var spaced = $"{{\"messageType\": \"chatMessage\", \"id\": 901, \"username\": \"load3\", \"comment\": \"{comment}\"}}";
        foreach (var json in (string[])[compact, spaced])
        {
            Assert.True(ChatPayload.TryRead(Encoding.UTF8.GetBytes(json), out var id, out var tag));
            Assert.Equal(901, id);
            Assert.Equal(new PayloadTag(77, 3, 12345, stamp), tag);
        }
    }

    [Theory]
    [InlineData("{\"messageType\":\"error\",\"error\":\"comment too long\"}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"id\":5,\"username\":\"u\",\"comment\":\"hello\"}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"id\":5,\"username\":\"u\",\"comment\":\"1.2.x\"}")]
    [InlineData("{\"id\":")]
    public void Messages_not_sent_by_a_load_runner_are_not_read_as_tags(string json)
    {
        Assert.False(ChatPayload.TryRead(Encoding.UTF8.GetBytes(json), out _, out _));
    }
}
