using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace Chat.Benchmarks;

/// <summary>
/// HTML escaping of a comment against a byte-at-a-time escaper and <see cref="WebUtility.HtmlEncode(string)"/> (which
/// works on UTF-16 strings, so it gets the same text as a string).
/// </summary>
[Config(typeof(CodecConfig))]
public class HtmlEscaperBenchmarks : IThroughputBenchmark
{
    private byte[] _text = [];
    private string _string = "";
    private byte[] _destination = [];

    public enum TextKind
    {
        NoEscapes,
        SomeEscapes,
    }

    [Params(TextKind.NoEscapes, TextKind.SomeEscapes)]
    public TextKind Text { get; set; }

    [Params(125, 4096)]
    public int Size { get; set; }

    public long BytesPerOperation => _text.Length;

    [GlobalSetup]
    public void Setup()
    {
        _text = SampleText.Utf8(Text == TextKind.NoEscapes ? SampleText.Ascii : SampleText.WithSpecials, Size);
        _string = Encoding.UTF8.GetString(_text);
        _destination = new byte[Pipeline.Codecs.HtmlEscaper.MaxEscapedLength(_text.Length)];
    }

    [Benchmark(Baseline = true)]
    public int NaiveLoop()
    {
        var destination = _destination.AsSpan();
        var written = 0;
        foreach (var b in _text)
        {
            ReadOnlySpan<byte> entity = b switch
            {
                (byte)'&' => "&amp;"u8,
                (byte)'<' => "&lt;"u8,
                (byte)'>' => "&gt;"u8,
                (byte)'"' => "&quot;"u8,
                (byte)'\'' => "&#39;"u8,
                _ => default,
            };
            if (entity.IsEmpty)
            {
                destination[written++] = b;
            }
            else
            {
                entity.CopyTo(destination[written..]);
                written += entity.Length;
            }
        }

        return written;
    }

    [Benchmark]
    public int WebUtilityHtmlEncode() => WebUtility.HtmlEncode(_string).Length;

    [Benchmark]
    public int HtmlEscaper()
    {
        Pipeline.Codecs.HtmlEscaper.Escape(_text, _destination, out _, out var written);
        return written;
    }
}
