using BenchmarkDotNet.Attributes;
using Chat.Pipeline.Codecs;

namespace Chat.Benchmarks;

/// <summary>
/// Incremental validation of one message against a byte-at-a-time validator and the BCL's one-shot
/// <see cref="System.Text.Unicode.Utf8.IsValid"/>. Mixed text has 2-, 3- and 4-byte sequences throughout.
/// </summary>
[Config(typeof(CodecConfig))]
public class Utf8ValidatorBenchmarks : IThroughputBenchmark
{
    private byte[] _text = [];

    public enum TextKind
    {
        Ascii,
        Mixed,
    }

    [Params(TextKind.Ascii, TextKind.Mixed)]
    public TextKind Text { get; set; }

    [Params(125, 4096)]
    public int Size { get; set; }

    public long BytesPerOperation => _text.Length;

    [GlobalSetup]
    public void Setup() => _text = SampleText.Utf8(Text == TextKind.Ascii ? SampleText.Ascii : SampleText.Mixed, Size);

    [Benchmark(Baseline = true)]
    public bool NaiveLoop() => NaiveUtf8.IsValid(_text);

    [Benchmark]
    public bool BclUtf8IsValid() => System.Text.Unicode.Utf8.IsValid(_text);

    [Benchmark]
    public bool Utf8Validator()
    {
        var validator = default(Pipeline.Codecs.Utf8Validator);
        return validator.Validate(_text) == Utf8Status.Valid && validator.IsComplete;
    }
}
