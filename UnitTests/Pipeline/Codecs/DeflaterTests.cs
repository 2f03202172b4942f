using System.IO.Compression;
using System.Text;
using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Pipeline.Codecs;

/// <summary>The reused compressor and inflater over the runtime's zlib, checked against the BCL's DeflateStream.</summary>
public sealed class DeflaterTests
{
    private static readonly byte[] Trailer = [0x00, 0x00, 0xFF, 0xFF];

    [Fact]
    public void Each_message_inflates_alone_though_the_compressor_is_reused()
    {
        using var deflater = new Deflater(6);
        var output = new byte[Deflater.MaxOutputLength(4096)];
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the same words again and again ", 20)));
        var first = deflater.Compress(text, output);
        var firstBytes = output[..first];
        var second = deflater.Compress(text, output);
        // With the window of the first message kept, the second would be a few back-references; a full flush forgot it.
        Assert.Equal(firstBytes, output[..second]);
        Assert.Equal(text, InflateWithDeflateStream(output[..second]));
    }

    [Fact]
    public void Output_too_short_returns_minus_one_and_the_next_message_is_whole()
    {
        using var deflater = new Deflater(6);
        var random = new byte[2000];
        new Random(7).NextBytes(random);
        Assert.Equal(-1, deflater.Compress(random, new byte[100]));
        var output = new byte[Deflater.MaxOutputLength(random.Length)];
        var length = deflater.Compress(random, output);
        Assert.Equal(random, InflateWithDeflateStream(output[..length]));
    }

    [Fact]
    public void Inflater_reads_what_DeflateStream_wrote_in_any_split_and_stops_at_the_limit()
    {
        using var inflater = new Inflater();
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"{i % 7} ")));
        var compressed = DeflateWithDeflateStream(text);
        var output = new byte[text.Length + 1];
        for (var split = 0; split <= compressed.Length; split++)
        {
            inflater.Reset();
            var written = 0;
            Assert.Equal(InflateStatus.Done, inflater.Inflate(compressed.AsSpan(0, split), output, text.Length, ref written));
            Assert.Equal(InflateStatus.Done, inflater.Inflate(compressed.AsSpan(split), output, text.Length, ref written));
            Assert.Equal(InflateStatus.Done, inflater.Finish(output, text.Length, ref written));
            Assert.Equal(text, output[..written]);
        }
        inflater.Reset();
        var short1 = 0;
        Assert.Equal(InflateStatus.TooBig, inflater.Inflate(compressed, output, text.Length - 1, ref short1));
    }

    [Fact]
    public void Inflater_refuses_what_is_not_deflate()
    {
        using var inflater = new Inflater();
        inflater.Reset();
        var written = 0;
        Assert.Equal(InflateStatus.Invalid, inflater.Inflate([0xFF, 0xFF, 0xFF], new byte[64], 63, ref written));
    }

    [Fact]
    public void Stored_head_before_a_compressed_tail_inflates_to_the_whole_frame_payload()
    {
        using var deflater = new Deflater(6);
        var room = "general"u8;
        var username = "alice"u8;
        var comment = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compress me once ", 30)));
        var maxTail = ChatMessageEncoder.MaxTailLength(room.Length, username.Length, comment.Length);
        var frame = new byte[ChatMessageEncoder.HeadRoom + maxTail + DeflatedChatFrame.Room(maxTail)];
        var tail = ChatMessageEncoder.WriteTail(room, username, comment, new DateTime(2026, 12, 4, 0, 0, 0, DateTimeKind.Utc), frame.AsSpan(ChatMessageEncoder.HeadRoom));
        var compressed = DeflatedChatFrame.CompressTail(deflater, frame, tail);
        Assert.InRange(compressed, 1, tail - 1);

        var plainStart = ChatMessageEncoder.WriteHead(123456789, tail, frame.AsSpan(0, ChatMessageEncoder.HeadRoom));
        var variant = DeflatedChatFrame.WriteHead(frame, plainStart, tail, compressed);

        var plainFrame = frame.AsSpan(plainStart, ChatMessageEncoder.HeadRoom - plainStart + tail);
        var plainPayload = plainFrame[(plainFrame[1] == 126 ? 4 : 2)..].ToArray();
        var deflatedFrame = frame.AsSpan(variant.Offset, variant.Length);
        Assert.Equal(0xC1, deflatedFrame[0]); // FIN, RSV1, text
        var header = deflatedFrame[1] == 126 ? 4 : 2;
        Assert.Equal(deflatedFrame.Length - header, deflatedFrame[1] == 126 ? (deflatedFrame[2] << 8) | deflatedFrame[3] : deflatedFrame[1]);
        Assert.Equal(plainPayload, InflateWithDeflateStream(deflatedFrame[header..].ToArray()));
        Assert.Equal(plainPayload.Length, variant.PayloadLength);
    }

    private static byte[] InflateWithDeflateStream(byte[] compressed)
    {
        using var inflate = new DeflateStream(new MemoryStream([.. compressed, .. Trailer]), CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflate.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] DeflateWithDeflateStream(byte[] text)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(text);
            deflate.Flush();
        }
        var bytes = output.ToArray();
        return bytes[..bytes.AsSpan().LastIndexOf(Trailer)];
    }
}
