using BenchmarkDotNet.Attributes;
using Chat.Pipeline.Codecs;

namespace Chat.Benchmarks;

/// <summary>In-place unmasking (RFC 6455 section 5.3) against the byte loop the RFC describes, at typical payload sizes.</summary>
[Config(typeof(CodecConfig))]
public class UnmaskerBenchmarks : IThroughputBenchmark
{
    private const uint MaskKey = 0x37FA213D;

    private byte[] _payload = [];

    [Params(16, 125, 1024, 65536)]
    public int Size { get; set; }

    public long BytesPerOperation => Size;

    [GlobalSetup]
    public void Setup()
    {
        _payload = new byte[Size];
        new Random(1).NextBytes(_payload);
    }

    [Benchmark(Baseline = true)]
    public void NaiveLoop()
    {
        var payload = _payload;
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] ^= (byte)(MaskKey >> ((i & 3) * 8));
        }
    }

    [Benchmark]
    public void Unmasker() => Pipeline.Codecs.Unmasker.Unmask(_payload, MaskKey, phase: 0);
}
