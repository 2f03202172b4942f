using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Chat.Pipeline.Codecs;

namespace Chat.Benchmarks;

/// <summary>
/// One server chat frame (FrameEncoder header + ChatMessageEncoder tail and head, as the encode and broadcast stages
/// write it) against <see cref="Utf8JsonWriter"/> writing the same object and header into reused buffers.
/// </summary>
[Config(typeof(CodecConfig))]
public class ChatMessageEncoderBenchmarks : IThroughputBenchmark
{
    private static readonly DateTime Timestamp = new(2026, 11, 28, 6, 0, 0, 123, DateTimeKind.Utc);
    private static readonly JsonWriterOptions RelaxedOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly byte[] _username = "User17"u8.ToArray();
    private readonly ArrayBufferWriter<byte> _json = new(16 * 1024);
    private byte[] _comment = [];
    private byte[] _frame = [];
    private readonly byte[] _header = new byte[10];
    private Utf8JsonWriter _writer = null!;
    private int _frameLength;

    [Params(100, 4000)]
    public int CommentBytes { get; set; }

    public long BytesPerOperation => _frameLength;

    [GlobalSetup]
    public void Setup()
    {
        var escaped = new byte[HtmlEscaper.MaxEscapedLength(CommentBytes)];
        HtmlEscaper.Escape(SampleText.Utf8(SampleText.WithSpecials, CommentBytes), escaped, out _, out var written);
        _comment = escaped[..written];
        _frame = new byte[Pipeline.Codecs.ChatMessageEncoder.HeadRoom + Pipeline.Codecs.ChatMessageEncoder.MaxTailLength("general"u8.Length, _username.Length, _comment.Length)];
        _writer = new Utf8JsonWriter(_json, RelaxedOptions);
        _frameLength = ChatMessageEncoder();
    }

    [Benchmark(Baseline = true)]
    public int Utf8JsonWriter()
    {
        _json.ResetWrittenCount();
        _writer.Reset(_json);
        _writer.WriteStartObject();
        _writer.WriteString("messageType"u8, "chatMessage"u8);
        _writer.WriteNumber("id"u8, 123456789L);
        _writer.WriteString("username"u8, _username);
        _writer.WriteString("comment"u8, _comment);
        _writer.WriteString("timestamp"u8, Timestamp);
        _writer.WriteEndObject();
        _writer.Flush();
        return FrameEncoder.WriteHeader(_header, Opcode.Text, fin: true, _json.WrittenCount) + _json.WrittenCount;
    }

    [Benchmark]
    public int ChatMessageEncoder()
    {
        var frame = _frame.AsSpan();
        var tail = Pipeline.Codecs.ChatMessageEncoder.WriteTail("general"u8, _username, _comment, Timestamp, frame[Pipeline.Codecs.ChatMessageEncoder.HeadRoom..]);
        var start = Pipeline.Codecs.ChatMessageEncoder.WriteHead(123456789L, tail, frame[..Pipeline.Codecs.ChatMessageEncoder.HeadRoom]);
        return Pipeline.Codecs.ChatMessageEncoder.HeadRoom - start + tail;
    }
}
