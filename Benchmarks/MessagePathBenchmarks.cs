using BenchmarkDotNet.Attributes;
using Chat.Pipeline.Codecs;

namespace Chat.Benchmarks;

/// <summary>
/// Every codec one chat message passes through, in stage order, without the channels between them: deframe (and copy
/// the payload out of the read buffer), unmask, validate UTF-8, parse the JSON, HTML-escape, encode the tail and,
/// with the id, the head. The per-message CPU cost of the pipeline; it must allocate nothing.
/// </summary>
[Config(typeof(CodecConfig))]
public class MessagePathBenchmarks : IThroughputBenchmark
{
    private static readonly DateTime Timestamp = new(2026, 11, 28, 6, 0, 0, 123, DateTimeKind.Utc);

    private readonly byte[] _username = "User17"u8.ToArray();
    private byte[] _wire = [];
    private byte[] _payload = [];
    private byte[] _comment = [];
    private byte[] _escaped = [];
    private byte[] _frame = [];
    private long _id;

    [Params(100, 4000)]
    public int CommentBytes { get; set; }

    public long BytesPerOperation => _wire.Length;

    [GlobalSetup]
    public void Setup()
    {
        _wire = ClientFrames.Masked(ClientFrames.ChatJson(CommentBytes));
        _payload = new byte[_wire.Length];
        _comment = new byte[_wire.Length];
        _escaped = new byte[HtmlEscaper.MaxEscapedLength(_wire.Length)];
        _frame = new byte[ChatMessageEncoder.HeadRoom + ChatMessageEncoder.MaxTailLength("general"u8.Length, _username.Length, _escaped.Length)];
    }

    [Benchmark]
    public int OneMessage()
    {
        var decoder = new FrameDecoder(1 << 20, 1 << 20);
        ReadOnlySpan<byte> input = _wire;
        var length = 0;
        uint mask = 0;
        while (!input.IsEmpty)
        {
            var status = decoder.Decode(input, out var consumed, out var piece);
            if (status == FrameDecodeStatus.Error) throw new InvalidOperationException(decoder.ErrorReason);
            if (status == FrameDecodeStatus.Header) mask = decoder.Header.MaskKey;
            piece.CopyTo(_payload.AsSpan(length));
            length += piece.Length;
            input = input[consumed..];
        }

        var payload = _payload.AsSpan(0, length);
        Unmasker.Unmask(payload, mask, phase: 0);
        var utf8 = default(Utf8Validator);
        if (utf8.Validate(payload) != Utf8Status.Valid || !utf8.IsComplete
            || ClientMessageParser.Parse(payload, _comment, 4096, out var commentLength) != ClientMessageError.None)
        {
            throw new InvalidOperationException("the sample message is valid");
        }

        HtmlEscaper.Escape(_comment.AsSpan(0, commentLength), _escaped, out _, out var escapedLength);
        var frame = _frame.AsSpan();
        var tail = ChatMessageEncoder.WriteTail("general"u8, _username, _escaped.AsSpan(0, escapedLength), Timestamp, frame[ChatMessageEncoder.HeadRoom..]);
        var start = ChatMessageEncoder.WriteHead(++_id, tail, frame[..ChatMessageEncoder.HeadRoom]);
        return ChatMessageEncoder.HeadRoom - start + tail;
    }
}
