using Chat.Pipeline.Codecs;
using Xunit;

namespace Chat.UnitTests.Pipeline.Codecs;

/// <summary>What a <see cref="FrameDecoder"/> made of a byte stream: the frames (payload unmasked) and the error if any.</summary>
internal sealed class DecodedStream
{
    // Every call consumes input or completes a frame, so a stream of n bytes needs at most a few calls per byte.
    private const int MaxCallsPerByte = 4;

    private List<byte>? _payload;

    public List<(bool Fin, Opcode Opcode, Opcode MessageOpcode, byte[] Payload)> Frames { get; } = [];

    public CloseStatus? Error { get; private set; }

    public string ErrorReason { get; private set; } = "";

    public static DecodedStream Decode(byte[] stream, IEnumerable<int> cuts, long maxFrame = 1 << 20, long maxMessage = 1 << 22)
    {
        var decoder = new FrameDecoder(maxFrame, maxMessage);
        var result = new DecodedStream();
        int start = 0;
        foreach (int cut in cuts.Append(stream.Length))
        {
            if (cut < start || cut > stream.Length)
            {
                continue;
            }

            result.Feed(ref decoder, stream.AsSpan(start, cut - start));
            start = cut;
            if (result.Error is not null)
            {
                break;
            }
        }

        return result;
    }

    public static DecodedStream Whole(byte[] stream, long maxFrame = 1 << 20, long maxMessage = 1 << 22) =>
        Decode(stream, [], maxFrame, maxMessage);

    public static DecodedStream ByteByByte(byte[] stream, long maxFrame = 1 << 20, long maxMessage = 1 << 22) =>
        Decode(stream, Enumerable.Range(1, Math.Max(0, stream.Length - 1)), maxFrame, maxMessage);

    public void AssertSameAs(DecodedStream other)
    {
        Assert.Equal(other.Error, Error);
        Assert.Equal(other.Frames.Count, Frames.Count);
        for (int i = 0; i < Frames.Count; i++)
        {
            Assert.Equal(other.Frames[i].Fin, Frames[i].Fin);
            Assert.Equal(other.Frames[i].Opcode, Frames[i].Opcode);
            Assert.Equal(other.Frames[i].MessageOpcode, Frames[i].MessageOpcode);
            Assert.Equal(other.Frames[i].Payload, Frames[i].Payload);
        }
    }

    private void Feed(ref FrameDecoder decoder, ReadOnlySpan<byte> input)
    {
        int calls = 0;
        int limit = (MaxCallsPerByte * input.Length) + 4;
        while (true)
        {
            Assert.True(++calls <= limit, "decoder did not make progress");
            FrameDecodeStatus status = decoder.Decode(input, out int consumed, out ReadOnlySpan<byte> payload);
            Assert.InRange(consumed, 0, input.Length);
            switch (status)
            {
                case FrameDecodeStatus.NeedMoreData:
                    Assert.Equal(input.Length, consumed);
                    return;
                case FrameDecodeStatus.Header:
                    Assert.Null(_payload);
                    _payload = [];
                    break;
                case FrameDecodeStatus.Payload:
                    Assert.False(payload.IsEmpty);
                    Assert.Equal(consumed, payload.Length);
                    Assert.NotNull(_payload);
                    Assert.Equal(_payload.Count, decoder.PayloadOffset);
                    byte[] chunk = payload.ToArray();
                    Unmasker.Unmask(chunk, decoder.Header.MaskKey, decoder.PayloadOffset);
                    _payload.AddRange(chunk);
                    break;
                case FrameDecodeStatus.FrameEnd:
                    Assert.Equal(0, consumed);
                    Assert.NotNull(_payload);
                    Assert.Equal(decoder.Header.PayloadLength, _payload.Count);
                    Frames.Add((decoder.Header.Fin, decoder.Header.Opcode, decoder.MessageOpcode, _payload.ToArray()));
                    _payload = null;
                    break;
                default:
                    Assert.Equal(input.Length, consumed);
                    Error = decoder.Error;
                    ErrorReason = decoder.ErrorReason;
                    return;
            }

            input = input[consumed..];
        }
    }
}
