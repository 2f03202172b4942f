using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Infrastructure;

/// <summary>
/// permessage-deflate (RFC 7692) for the raw client: compressed messages out, and server frames read with RSV1 allowed
/// and inflated by the BCL's DeflateStream (not the server's own zlib binding).
/// </summary>
internal sealed partial class RawClient
{
    /// <summary>RSV1 in the 3-bit rsv argument of <see cref="SendFrameAsync(Opcode, ReadOnlySpan{byte}, bool, int, bool, ClientFrame.LengthForm)"/>.</summary>
    public const int Rsv1 = 4;

    public const string DeflateOffer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

    /// <summary>Raw deflate of text, sync-flushed, without the trailing 00 00 ff ff (RFC 7692 section 7.2.1).</summary>
    public static byte[] Deflate(ReadOnlySpan<byte> text)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(text);
            deflate.Flush();
        }
        var bytes = output.ToArray();
        var end = bytes.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0x00, 0x00, 0xFF, 0xFF]);
        Assert.True(end > 0, "a sync flush ends with 00 00 ff ff");
        return bytes[..end];
    }

    /// <summary>Inflates a message body as RFC 7692 section 7.2.2 says: append 00 00 ff ff, inflate.</summary>
    public static byte[] Inflate(ReadOnlySpan<byte> compressed)
    {
        using var input = new MemoryStream([.. compressed, 0x00, 0x00, 0xFF, 0xFF]);
        using var inflate = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflate.CopyTo(output);
        return output.ToArray();
    }

    public Task SendCompressedChatAsync(string comment) => SendFrameAsync(Opcode.Text, Deflate(Encoding.UTF8.GetBytes(Chat(comment))), rsv: Rsv1);

    /// <summary>
    /// Reads the next frame with RSV1 allowed (only RSV1, only on a data frame); returns it inflated and whether it came
    /// compressed, and its length on the wire (header included).
    /// </summary>
    public async Task<(ServerFrame Frame, bool Compressed, int WireLength)> ReadDeflateFrameAsync(TimeSpan? within = null)
    {
        var (first, payload, wireLength) = await TakeFrameAsync(within, allowedRsv: 0x40);
        var compressed = (first & 0x40) != 0;
        var opcode = (Opcode)(first & 0x0F);
        Assert.True(!compressed || opcode is Opcode.Text or Opcode.Binary, $"RSV1 on a {opcode} frame");
        return (new ServerFrame((first & 0x80) != 0, opcode, compressed ? Inflate(payload) : payload), compressed, wireLength);
    }

    /// <summary>The next frame must be this chat message, compressed or not as told; returns its JSON and wire length.</summary>
    public async Task<(JsonElement Json, int WireLength)> ExpectDeflateChatAsync(string escapedComment, bool compressed)
    {
        var (frame, wasCompressed, wireLength) = await ReadDeflateFrameAsync();
        Assert.True(frame.Opcode == Opcode.Text && frame.Fin, $"expected a chat message, got {frame}");
        Assert.Equal(compressed, wasCompressed);
        var json = frame.Json();
        Assert.Equal("chatMessage", json.GetProperty("messageType").GetString());
        Assert.Equal(escapedComment, json.GetProperty("comment").GetString());
        return (json, wireLength);
    }

    /// <summary>Connects and sends an upgrade request with these extra header lines; returns the answer (101 or not).</summary>
    public static async Task<(RawClient Client, RawResponse Response)> UpgradeAsync(System.Net.IPEndPoint endPoint, string extraHeaders, string query = "")
    {
        var client = await ConnectAsync(endPoint);
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var response = await client.RequestAsync(UpgradeRequest(query, key, extraHeaders));
        if (response.Status == 101) Assert.Equal(ExpectedAccept(key), response.Header("Sec-WebSocket-Accept"));
        return (client, response);
    }
}
