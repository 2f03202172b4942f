using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Infrastructure;

/// <summary>WebSocket frames over the raw socket: hand-built client frames out, server frames parsed in.</summary>
internal sealed partial class RawClient
{
    public Task SendFrameAsync(Opcode opcode, ReadOnlySpan<byte> payload, bool fin = true, int rsv = 0, bool masked = true,
        ClientFrame.LengthForm form = ClientFrame.LengthForm.Minimal) =>
        SendAsync(ClientFrame.Build(opcode, payload, fin, RandomMask(), masked, rsv, form));

    public Task SendFrameAsync(int opcode, ReadOnlySpan<byte> payload, bool fin = true, int rsv = 0) =>
        SendAsync(ClientFrame.Build(opcode, payload, fin, RandomMask(), masked: true, rsv));

    public Task SendTextAsync(string text) => SendFrameAsync(Opcode.Text, Encoding.UTF8.GetBytes(text));

    public Task SendChatAsync(string comment) => SendTextAsync(Chat(comment));

    public Task SendCloseAsync(int code, string reason = "") => SendFrameAsync(Opcode.Close, ClosePayload(code, Encoding.UTF8.GetBytes(reason)));

    public static string Chat(string comment) => JsonSerializer.Serialize(new { messageType = "chatMessage", comment });

    /// <summary>A valid chat message of exactly <paramref name="length"/> UTF-8 bytes: JSON whitespace pads it.</summary>
    public static byte[] PaddedChat(string comment, int length)
    {
        var json = Chat(comment);
        var core = Encoding.UTF8.GetByteCount(json);
        Assert.True(length >= core, $"a chat message with this comment needs at least {core} bytes");
        return Encoding.UTF8.GetBytes(json[..^1] + new string(' ', length - core) + "}");
    }

    public static byte[] ClosePayload(int code, ReadOnlySpan<byte> reason)
    {
        var payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reason.CopyTo(payload.AsSpan(2));
        return payload;
    }

    /// <summary>A masked client frame with a random key and the shortest length form, for streams of many frames.</summary>
    public static byte[] Frame(int opcode, ReadOnlySpan<byte> payload, bool fin = true) =>
        ClientFrame.Build(opcode, payload, fin, RandomMask());

    /// <summary>Only the header of a masked frame that declares a 64-bit payload length, and an all-zero mask key.</summary>
    public static byte[] FrameHeader(int opcode, ulong declaredLength) =>
        [.. ClientFrame.Header(opcode, (long)declaredLength, form: ClientFrame.LengthForm.Bits64), 0, 0, 0, 0];

    public static byte[] RandomMask() => [(byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256)];

    /// <summary>
    /// Reads the next frame; server frames must be unmasked (RFC 6455 section 5.1) with RSV bits clear. Nothing is
    /// consumed until the whole frame is here, so a read that times out leaves the stream where it was.
    /// </summary>
    public async Task<ServerFrame> ReadFrameAsync(TimeSpan? within = null)
    {
        var (first, payload, _) = await TakeFrameAsync(within, allowedRsv: 0);
        return new ServerFrame((first & 0x80) != 0, (Opcode)(first & 0x0F), payload);
    }

    /// <summary>
    /// The next whole frame: its first byte, its payload and its length on the wire. RSV bits outside
    /// <paramref name="allowedRsv"/> (0x40 for RSV1) and a mask fail the test.
    /// </summary>
    private async Task<(byte First, byte[] Payload, int WireLength)> TakeFrameAsync(TimeSpan? within, int allowedRsv)
    {
        using var deadline = new CancellationTokenSource(within ?? Timeout);
        await NeedAsync(2, deadline.Token);
        var first = _buffer[_start];
        var second = _buffer[_start + 1];
        Assert.True((first & 0x70 & ~allowedRsv) == 0, $"server frame with RSV bits 0x{first:X2}");
        Assert.True((second & 0x80) == 0, "server frame is masked");
        long length = second & 0x7F;
        var header = length == 126 ? 4 : length == 127 ? 10 : 2;
        await NeedAsync(header, deadline.Token);
        if (header == 4) length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2));
        else if (header == 10) length = (long)BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(_start + 2));
        Assert.InRange(length, 0, _buffer.Length - header);
        await NeedAsync(header + (int)length, deadline.Token);
        var payload = _buffer.AsSpan(_start + header, (int)length).ToArray();
        _start += header + (int)length;
        return (first, payload, header + (int)length);
    }

    /// <summary>Reads frames until a close frame and returns its status code (0 when it has none).</summary>
    public async Task<int> ReadCloseCodeAsync(TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Timeout);
        for (var frames = 0; frames < 100_000; frames++)
        {
            var frame = await ReadFrameAsync(Remaining(deadline));
            if (frame.Opcode == Opcode.Close) return frame.CloseCode ?? 0;
        }
        throw new InvalidDataException("no close frame among 100000 frames");
    }

    /// <summary>The next frame must be a close with this code, and then the server must close TCP, sending nothing more.</summary>
    public async Task ExpectCloseAsync(int code)
    {
        var frame = await ReadFrameAsync();
        Assert.True(frame.Opcode == Opcode.Close, $"expected a close frame with {code}, got {frame}");
        Assert.Equal(code, frame.CloseCode);
        Assert.True(System.Text.Unicode.Utf8.IsValid(frame.Payload.AsSpan(2)), "close reason is not UTF-8");
        await AssertClosedByServerAsync();
    }

    public Task ExpectPongAsync(ReadOnlySpan<byte> payload) => ExpectPongAsync(payload.ToArray());

    private async Task ExpectPongAsync(byte[] expected)
    {
        var frame = await ReadFrameAsync();
        Assert.True(frame.Opcode == Opcode.Pong, $"expected a pong, got {frame}");
        Assert.True(frame.Fin);
        Assert.Equal(expected, frame.Payload);
    }

    /// <summary>The next frame must be the broadcast of a chat message with this (escaped) comment.</summary>
    public async Task<JsonElement> ExpectChatAsync(string escapedComment)
    {
        var frame = await ReadFrameAsync();
        Assert.True(frame.Opcode == Opcode.Text && frame.Fin, $"expected a chat message, got {frame}");
        var json = frame.Json();
        Assert.Equal("chatMessage", json.GetProperty("messageType").GetString());
        Assert.Equal(escapedComment, json.GetProperty("comment").GetString());
        return json;
    }

    /// <summary>The next frame must be an error frame with a non-empty reason; returns the reason.</summary>
    public async Task<string> ExpectErrorAsync()
    {
        var frame = await ReadFrameAsync();
        Assert.True(frame.Opcode == Opcode.Text && frame.Fin, $"expected an error frame, got {frame}");
        var json = frame.Json();
        Assert.Equal("error", json.GetProperty("messageType").GetString());
        var reason = json.GetProperty("error").GetString();
        Assert.False(string.IsNullOrWhiteSpace(reason));
        return reason!;
    }
}
