using System.Text;
using Chat.Pipeline.Codecs;
using CsCheck;
using Xunit;
using static Chat.UnitTests.Pipeline.Codecs.ClientFrame;

namespace Chat.UnitTests.Pipeline.Codecs;

public sealed class FrameDecoderTests
{
    private const long Limit = 1 << 20;

    public static TheoryData<int> Lengths => new() { 0, 1, 125, 126, 127, 65535, 65536, 100_000, (int)Limit };

    public static TheoryData<int> ReservedOpcodes => new() { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Each_length_form_decodes_the_payload(int length)
    {
        byte[] payload = Pattern(length);
        byte[] frame = Build(Opcode.Binary, payload);
        var decoder = new FrameDecoder(Limit, Limit);

        Assert.Equal(FrameDecodeStatus.Header, decoder.Decode(frame, out int consumed, out _));
        Assert.Equal(frame.Length - length, consumed);
        Assert.Equal(length < 126 ? 6 : length <= 65535 ? 8 : 14, consumed);
        Assert.Equal(length, decoder.Header.PayloadLength);
        Assert.True(decoder.Header.Fin);
        Assert.True(decoder.Header.Masked);
        Assert.Equal(Opcode.Binary, decoder.Header.Opcode);

        DecodedStream decoded = DecodedStream.Whole(frame, Limit, Limit);
        Assert.Null(decoded.Error);
        Assert.Equal(payload, Assert.Single(decoded.Frames).Payload);
    }

    [Theory]
    [InlineData(5, 16)]
    [InlineData(5, 64)]
    [InlineData(300, 64)]
    public void Non_minimal_length_encodings_are_accepted(int length, int bits)
    {
        LengthForm form = bits == 16 ? LengthForm.Bits16 : LengthForm.Bits64;
        byte[] payload = Pattern(length);

        DecodedStream decoded = DecodedStream.Whole(Build(Opcode.Text, payload, form: form));

        Assert.Null(decoded.Error);
        Assert.Equal(payload, Assert.Single(decoded.Frames).Payload);
    }

    [Fact]
    public void Zero_length_frame_ends_right_after_its_header_with_nothing_consumed()
    {
        byte[] frame = Build(Opcode.Text, []);
        var decoder = new FrameDecoder(Limit, Limit);

        Assert.Equal(FrameDecodeStatus.Header, decoder.Decode(frame, out int consumed, out _));
        Assert.Equal(6, consumed);
        Assert.Equal(FrameDecodeStatus.FrameEnd, decoder.Decode(frame.AsSpan(6), out consumed, out _));
        Assert.Equal(0, consumed);
        Assert.Equal(FrameDecodeStatus.NeedMoreData, decoder.Decode([], out consumed, out _));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Payload_is_handed_out_as_a_masked_slice_of_the_input_with_its_offset()
    {
        byte[] frame = Build(Opcode.Binary, Pattern(10));
        var decoder = new FrameDecoder(Limit, Limit);
        decoder.Decode(frame, out int consumed, out _);

        Assert.Equal(FrameDecodeStatus.Payload, decoder.Decode(frame.AsSpan(consumed, 4), out int first, out ReadOnlySpan<byte> part));
        Assert.Equal(4, first);
        Assert.Equal(frame.AsSpan(consumed, 4).ToArray(), part.ToArray());
        Assert.Equal(0, decoder.PayloadOffset);
        Assert.Equal(FrameDecodeStatus.Payload, decoder.Decode(frame.AsSpan(consumed + 4), out int second, out part));
        Assert.Equal(6, second);
        Assert.Equal(4, decoder.PayloadOffset);
        Assert.Equal(FrameDecodeStatus.FrameEnd, decoder.Decode([], out _, out _));
    }

    [Fact]
    public void Mask_key_is_the_wire_bytes_read_little_endian()
    {
        byte[] frame = Build(Opcode.Text, "x"u8, mask: [0x01, 0x02, 0x03, 0x04]);
        var decoder = new FrameDecoder(Limit, Limit);

        decoder.Decode(frame, out _, out _);

        Assert.Equal(0x04030201u, decoder.Header.MaskKey);
    }

    [Fact]
    public void Frame_at_the_limit_is_accepted()
    {
        DecodedStream decoded = DecodedStream.Whole(Build(Opcode.Binary, Pattern(1000)), maxFrame: 1000, maxMessage: 1000);

        Assert.Null(decoded.Error);
        Assert.Single(decoded.Frames);
    }

    [Theory]
    [InlineData(126)]
    [InlineData(65536)]
    [InlineData(1_000_000)]
    public void Frame_over_the_limit_closes_with_1009_from_the_header_alone(int length)
    {
        byte[] header = Header((int)Opcode.Binary, length);
        var decoder = new FrameDecoder(maxFramePayload: 125, maxMessagePayload: 1 << 30);

        FrameDecodeStatus status = decoder.Decode(header, out int consumed, out _);

        Assert.Equal(FrameDecodeStatus.Error, status);
        Assert.Equal(header.Length, consumed);
        Assert.Equal(CloseStatus.MessageTooBig, decoder.Error);
    }

    [Fact]
    public void Message_over_the_limit_across_fragments_closes_with_1009_at_the_header_that_crosses_it()
    {
        byte[] stream = Concat(
            Build(Opcode.Text, Pattern(60), fin: false),
            Build(Opcode.Continuation, Pattern(30), fin: false),
            Header((int)Opcode.Continuation, 11));

        DecodedStream decoded = DecodedStream.Whole(stream, maxFrame: 100, maxMessage: 100);

        Assert.Equal(CloseStatus.MessageTooBig, decoded.Error);
        Assert.Equal(2, decoded.Frames.Count);
    }

    [Fact]
    public void Message_exactly_at_the_limit_across_fragments_is_accepted()
    {
        byte[] stream = Concat(
            Build(Opcode.Text, Pattern(60), fin: false),
            Build(Opcode.Continuation, Pattern(40)),
            Build(Opcode.Text, Pattern(100)));

        DecodedStream decoded = DecodedStream.Whole(stream, maxFrame: 100, maxMessage: 100);

        Assert.Null(decoded.Error);
        Assert.Equal(3, decoded.Frames.Count);
    }

    [Fact]
    public void Length_with_the_most_significant_bit_set_closes_with_1002()
    {
        byte[] header = [0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1];
        var decoder = new FrameDecoder(long.MaxValue, long.MaxValue);

        Assert.Equal(FrameDecodeStatus.Error, decoder.Decode(header, out _, out _));
        Assert.Equal(CloseStatus.ProtocolError, decoder.Error);
    }

    [Fact]
    public void Largest_64_bit_length_with_the_top_bit_clear_is_only_refused_by_the_limit()
    {
        byte[] header = [0x82, 0x80 | 127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4];
        var unlimited = new FrameDecoder(long.MaxValue, long.MaxValue);
        var limited = new FrameDecoder(Limit, Limit);

        Assert.Equal(FrameDecodeStatus.Header, unlimited.Decode(header, out _, out _));
        Assert.Equal(long.MaxValue, unlimited.Header.PayloadLength);
        Assert.Equal(FrameDecodeStatus.Error, limited.Decode(header, out _, out _));
        Assert.Equal(CloseStatus.MessageTooBig, limited.Error);
    }

    [Fact]
    public void Unmasked_client_frame_closes_with_1002()
    {
        AssertProtocolError(Build(Opcode.Text, "hi"u8, masked: false), "unmasked client frame");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    public void Reserved_bits_set_close_with_1002(int rsv)
    {
        AssertProtocolError(Build(Opcode.Text, "hi"u8, rsv: rsv));
    }

    [Theory]
    [MemberData(nameof(ReservedOpcodes))]
    public void Reserved_opcode_closes_with_1002(int opcode)
    {
        AssertProtocolError(Build(opcode, "hi"u8), "reserved opcode");
    }

    [Theory]
    [InlineData((int)Opcode.Close)]
    [InlineData((int)Opcode.Ping)]
    [InlineData((int)Opcode.Pong)]
    public void Fragmented_control_frame_closes_with_1002(int opcode)
    {
        AssertProtocolError(Build(opcode, "hi"u8, fin: false));
    }

    [Theory]
    [InlineData((int)Opcode.Close, 126)]
    [InlineData((int)Opcode.Ping, 126)]
    [InlineData((int)Opcode.Pong, 65536)]
    public void Control_frame_over_125_bytes_closes_with_1002(int opcode, int length)
    {
        AssertProtocolError(Header(opcode, length));
    }

    [Fact]
    public void Control_frame_with_an_extended_length_field_closes_with_1002_even_when_short()
    {
        AssertProtocolError(Build(Opcode.Ping, "hi"u8, form: LengthForm.Bits16), "control frame payload over 125 bytes");
    }

    [Theory]
    [InlineData((int)Opcode.Close)]
    [InlineData((int)Opcode.Ping)]
    [InlineData((int)Opcode.Pong)]
    public void Control_frame_of_125_bytes_is_accepted(int opcode)
    {
        DecodedStream decoded = DecodedStream.Whole(Build(opcode, Pattern(125)));

        Assert.Null(decoded.Error);
        Assert.Equal(125, Assert.Single(decoded.Frames).Payload.Length);
    }

    [Fact]
    public void Continuation_without_a_message_in_progress_closes_with_1002()
    {
        AssertProtocolError(Build(Opcode.Continuation, "hi"u8));
    }

    [Fact]
    public void Continuation_after_a_finished_message_closes_with_1002()
    {
        AssertProtocolError(Concat(
            Build(Opcode.Text, "a"u8, fin: false),
            Build(Opcode.Continuation, "b"u8),
            Build(Opcode.Continuation, "c"u8)));
    }

    [Theory]
    [InlineData((int)Opcode.Text)]
    [InlineData((int)Opcode.Binary)]
    public void New_data_frame_inside_a_fragmented_message_closes_with_1002(int opcode)
    {
        AssertProtocolError(Concat(Build(Opcode.Text, "a"u8, fin: false), Build(opcode, "b"u8)));
    }

    [Fact]
    public void Control_frames_may_interleave_between_fragments()
    {
        byte[] stream = Concat(
            Build(Opcode.Text, "he"u8, fin: false),
            Build(Opcode.Ping, "p"u8),
            Build(Opcode.Continuation, "ll"u8, fin: false),
            Build(Opcode.Pong, []),
            Build(Opcode.Continuation, "o"u8));

        DecodedStream decoded = DecodedStream.Whole(stream);

        Assert.Null(decoded.Error);
        Assert.Equal([Opcode.Text, Opcode.Ping, Opcode.Continuation, Opcode.Pong, Opcode.Continuation], decoded.Frames.Select(f => f.Opcode));
        Assert.All(decoded.Frames.Where(f => f.Opcode == Opcode.Continuation), f => Assert.Equal(Opcode.Text, f.MessageOpcode));
        Assert.Equal("hello", string.Concat(decoded.Frames.Where(f => !IsControl(f.Opcode)).Select(f => Encoding.UTF8.GetString(f.Payload))));
    }

    [Fact]
    public void Fragmented_message_state_is_tracked_from_first_to_final_header()
    {
        var decoder = new FrameDecoder(Limit, Limit);
        Assert.False(decoder.InFragmentedMessage);

        DecodeOneFrame(ref decoder, Build(Opcode.Binary, "a"u8, fin: false));
        Assert.True(decoder.InFragmentedMessage);
        Assert.Equal(Opcode.Binary, decoder.MessageOpcode);

        DecodeOneFrame(ref decoder, Build(Opcode.Ping, []));
        Assert.True(decoder.InFragmentedMessage);

        DecodeOneFrame(ref decoder, Build(Opcode.Continuation, "b"u8));
        Assert.False(decoder.InFragmentedMessage);
        Assert.Equal(Opcode.Binary, decoder.MessageOpcode);

        DecodeOneFrame(ref decoder, Build(Opcode.Text, "c"u8));
        Assert.False(decoder.InFragmentedMessage);
        Assert.Equal(Opcode.Text, decoder.MessageOpcode);
    }

    [Fact]
    public void Error_state_is_terminal_and_discards_all_later_input()
    {
        var decoder = new FrameDecoder(Limit, Limit);
        byte[] bad = Build(Opcode.Text, "hi"u8, masked: false);

        Assert.Equal(FrameDecodeStatus.Error, decoder.Decode(bad, out int consumed, out _));
        Assert.Equal(bad.Length, consumed);
        byte[] good = Build(Opcode.Text, "ok"u8);
        Assert.Equal(FrameDecodeStatus.Error, decoder.Decode(good, out consumed, out _));
        Assert.Equal(good.Length, consumed);
        Assert.Equal(FrameDecodeStatus.Error, decoder.Decode([], out consumed, out _));
        Assert.Equal(0, consumed);
        Assert.Equal(CloseStatus.ProtocolError, decoder.Error);
    }

    [Fact]
    public void Violation_is_detected_on_the_first_byte_that_shows_it()
    {
        var decoder = new FrameDecoder(Limit, Limit);

        Assert.Equal(FrameDecodeStatus.Error, decoder.Decode([0x83], out int consumed, out _));
        Assert.Equal(1, consumed);
        Assert.Equal("reserved opcode", decoder.ErrorReason);
    }

    [Fact]
    public void Decoder_before_any_error_has_an_empty_reason()
    {
        Assert.Equal("", new FrameDecoder(Limit, Limit).ErrorReason);
        Assert.Equal("", default(FrameDecoder).ErrorReason);
    }

    [Fact]
    public void Every_valid_stream_decodes_the_same_split_at_every_offset_and_byte_by_byte()
    {
        byte[] stream = MixedStream();
        DecodedStream whole = DecodedStream.Whole(stream);
        Assert.Null(whole.Error);
        Assert.Equal(9, whole.Frames.Count);

        DecodedStream.ByteByByte(stream).AssertSameAs(whole);
        for (int cut = 0; cut <= stream.Length; cut++)
        {
            DecodedStream.Decode(stream, [cut]).AssertSameAs(whole);
        }
    }

    [Fact]
    public void Every_violation_is_detected_the_same_split_at_every_offset()
    {
        byte[] stream = Concat(MixedStream(), Build(Opcode.Continuation, "x"u8));
        DecodedStream whole = DecodedStream.Whole(stream);
        Assert.Equal(CloseStatus.ProtocolError, whole.Error);

        for (int cut = 0; cut <= stream.Length; cut++)
        {
            DecodedStream.Decode(stream, [cut]).AssertSameAs(whole);
        }
    }

    [Fact]
    public void Any_valid_frame_stream_cut_at_random_points_decodes_to_the_same_frames()
    {
        Gen<(bool Fin, int Opcode, byte[] Payload, byte[] Mask, LengthForm Form)> frame =
            Gen.Select(Gen.Bool, Gen.Int[0, 4], Gen.Byte.Array[0, 300], Gen.Byte.Array[4], Gen.Enum<LengthForm>());
        Gen<(byte[] Stream, int[] Cuts)> streams =
            frame.Array[1, 12].Select(ValidStream).SelectMany(s => Gen.Int[0, s.Length].Array[0, 8].Select(cuts => (s, cuts.Order().ToArray())));

        streams.Sample(sample =>
        {
            DecodedStream whole = DecodedStream.Whole(sample.Stream);
            Assert.Null(whole.Error);
            DecodedStream.Decode(sample.Stream, sample.Cuts).AssertSameAs(whole);
        }, iter: 500);
    }

    [Fact]
    public void Random_byte_soup_never_throws_or_loops_and_ends_in_need_more_data_or_a_defined_error()
    {
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Int[0, 200].Array[0, 6]).Sample((soup, cuts) =>
        {
            DecodedStream decoded = DecodedStream.Decode(soup, cuts.Order(), maxFrame: 1000, maxMessage: 2000);
            Assert.True(decoded.Error is null or CloseStatus.ProtocolError or CloseStatus.MessageTooBig);
            Assert.Equal(decoded.Error is null, decoded.ErrorReason.Length == 0);
        }, iter: 2000);
    }

    internal static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();

    // Text, fragmented binary with interleaved controls, every length form, all frame boundaries at odd places.
    private static byte[] MixedStream() => Concat(
        Build(Opcode.Text, "hello"u8),
        Build(Opcode.Binary, Pattern(126), fin: false, mask: [0xFF, 0x00, 0xAA, 0x55]),
        Build(Opcode.Ping, "ping"u8),
        Build(Opcode.Continuation, Pattern(3), fin: false, form: LengthForm.Bits64),
        Build(Opcode.Pong, []),
        Build(Opcode.Continuation, []),
        Build(Opcode.Text, [], form: LengthForm.Bits16),
        Build(Opcode.Binary, Pattern(300), mask: [1, 2, 3, 4]),
        Build(Opcode.Close, [0x03, 0xE8, (byte)'b', (byte)'y', (byte)'e']));

    // Turns random frames into a valid stream: data frames get a legal opcode for the message state; control frames
    // are FIN with the 7-bit length (an extended length field on a control frame is refused, as Netty does).
    private static byte[] ValidStream((bool Fin, int Opcode, byte[] Payload, byte[] Mask, LengthForm Form)[] frames)
    {
        var parts = new List<byte[]>();
        bool inMessage = false;
        foreach (var (fin, kind, payload, mask, form) in frames)
        {
            if (kind >= 3)
            {
                var control = kind == 3 ? Opcode.Ping : Opcode.Pong;
                parts.Add(Build(control, payload.AsSpan(0, Math.Min(payload.Length, 125)), mask: mask));
                continue;
            }

            var opcode = inMessage ? Opcode.Continuation : kind == 1 ? Opcode.Binary : Opcode.Text;
            parts.Add(Build(opcode, payload, fin, mask, form: form));
            inMessage = !fin;
        }

        if (inMessage)
        {
            parts.Add(Build(Opcode.Continuation, []));
        }

        return Concat([.. parts]);
    }

    private static bool IsControl(Opcode opcode) => (int)opcode >= 8;

    private static void DecodeOneFrame(ref FrameDecoder decoder, byte[] frame)
    {
        ReadOnlySpan<byte> input = frame;
        FrameDecodeStatus status;
        do
        {
            status = decoder.Decode(input, out int consumed, out _);
            input = input[consumed..];
        }
        while (status != FrameDecodeStatus.FrameEnd);
    }

    private static void AssertProtocolError(byte[] stream, string? reason = null)
    {
        DecodedStream decoded = DecodedStream.Whole(stream);

        Assert.Equal(CloseStatus.ProtocolError, decoded.Error);
        Assert.NotEmpty(decoded.ErrorReason);
        if (reason is not null)
        {
            Assert.Equal(reason, decoded.ErrorReason);
        }
    }
}
