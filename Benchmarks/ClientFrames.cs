using System.Buffers.Binary;
using System.Text;
using Chat.Pipeline.Codecs;

namespace Chat.Benchmarks;

/// <summary>Masked client frames as a browser sends them (RFC 6455 section 5.2), for the decoder and the message path.</summary>
internal static class ClientFrames
{
    public const uint MaskKey = 0x9A3C51E7;

    /// <summary>A chat message as the page sends it, with a comment of about <paramref name="commentBytes"/> bytes.</summary>
    public static byte[] ChatJson(int commentBytes)
    {
        var comment = Encoding.UTF8.GetString(SampleText.Utf8(SampleText.WithSpecials, commentBytes)).Replace("\"", "\\\"");
        return Encoding.UTF8.GetBytes($$"""{"messageType":"chatMessage","comment":"{{comment}}"}""");
    }

    /// <summary>One final, masked text frame holding <paramref name="payload"/>.</summary>
    public static byte[] Masked(ReadOnlySpan<byte> payload)
    {
        var header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[header + 4 + payload.Length];
        frame[0] = 0x80 | (byte)Opcode.Text;
        switch (header)
        {
            case 2:
                frame[1] = (byte)(0x80 | payload.Length);
                break;
            case 4:
                frame[1] = 0x80 | 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
                break;
            default:
                frame[1] = 0x80 | 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
                break;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(header), MaskKey);
        Unmasker.Unmask(payload, frame.AsSpan(header + 4), MaskKey, phase: 0);
        return frame;
    }
}
