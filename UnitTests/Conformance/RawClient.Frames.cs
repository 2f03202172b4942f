using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

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

    public static byte[] RandomMask() => [(byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256)];

    /// <summary>Reads the next frame; server frames must be unmasked (RFC 6455 section 5.1) with RSV bits clear.</summary>
    public async Task<ServerFrame> ReadFrameAsync()
    {
        var first = await ReadByteAsync();
        var second = await ReadByteAsync();
        Assert.True((first & 0x70) == 0, $"server frame with RSV bits 0x{first:X2}");
        Assert.True((second & 0x80) == 0, "server frame is masked");
        long length = second & 0x7F;
        if (length >= 126)
        {
            var extended = new byte[length == 126 ? 2 : 8];
            await ReadExactlyAsync(extended);
            length = extended.Length == 2 ? BinaryPrimitives.ReadUInt16BigEndian(extended) : (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
        }
        Assert.InRange(length, 0, _buffer.Length);
        var payload = new byte[length];
        await ReadExactlyAsync(payload);
        return new ServerFrame((first & 0x80) != 0, (Opcode)(first & 0x0F), payload);
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
