using BenchmarkDotNet.Attributes;
using Chat.Pipeline.Codecs;

namespace Chat.Benchmarks;

/// <summary>
/// Frame decoding over one read buffer: many small chat frames back to back (the decoder's per-frame cost) and one
/// 64 KiB frame (its per-byte cost, which should be nil: payload is handed out as a slice).
/// </summary>
[Config(typeof(CodecConfig))]
public class FrameDecoderBenchmarks : IThroughputBenchmark
{
    private const int MaxPayload = 1 << 20;

    private byte[] _input = [];

    public enum InputShape
    {
        SmallFrames,
        OneLargeFrame,
    }

    [Params(InputShape.SmallFrames, InputShape.OneLargeFrame)]
    public InputShape Shape { get; set; }

    public long BytesPerOperation => _input.Length;

    [GlobalSetup]
    public void Setup()
    {
        if (Shape == InputShape.OneLargeFrame)
        {
            _input = ClientFrames.Masked(SampleText.Utf8(SampleText.Ascii, 64 * 1024));
            return;
        }

        // 64 KiB of ~100-byte chat frames, as a busy connection's reads deliver them.
        var frame = ClientFrames.Masked(ClientFrames.ChatJson(50));
        var count = 64 * 1024 / frame.Length;
        _input = new byte[count * frame.Length];
        for (var i = 0; i < count; i++) frame.CopyTo(_input, i * frame.Length);
    }

    [Benchmark]
    public long Decode()
    {
        var decoder = new FrameDecoder(MaxPayload, MaxPayload);
        ReadOnlySpan<byte> input = _input;
        long payloadBytes = 0;
        while (!input.IsEmpty)
        {
            var status = decoder.Decode(input, out var consumed, out var payload);
            if (status == FrameDecodeStatus.Error) throw new InvalidOperationException(decoder.ErrorReason);
            payloadBytes += payload.Length;
            input = input[consumed..];
        }

        return payloadBytes;
    }
}
