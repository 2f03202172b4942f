using Chat.Pipeline.Codecs;
using CsCheck;
using Xunit;
using static Chat.UnitTests.Pipeline.Codecs.ClientFrame;

namespace Chat.UnitTests.Pipeline.Codecs;

/// <summary>
/// Properties of <see cref="FrameDecoder"/> against an independent model: generated messages (fragmented any way, with
/// pings and pongs between fragments, empty frames included) come out as the same messages however the stream is cut
/// into reads; byte soup never throws, never stalls, and ends waiting for input or in a defined close.
/// </summary>
public sealed class FrameDecoderPropertyTests
{
    private const long MaxFrame = 4096;
    private const long MaxMessage = 16384;

    // A message: binary or text, its payload, where to cut it into fragments, and controls to put between fragments.
    private static readonly Gen<(bool Binary, byte[] Payload, int[] Cuts, int[] Pings)> Message =
        Gen.Select(Gen.Bool, Gen.Byte.Array[0, 600], Gen.Int[0, 600].Array[0, 5], Gen.Int[-3, 125].Array[0, 6]);

    private static readonly Gen<(bool Binary, byte[] Payload, int[] Cuts, int[] Pings)[]> Messages = Message.Array[1, 8];

    [Fact]
    public void Generated_messages_cut_at_random_reads_decode_to_the_same_messages_and_controls()
    {
        Gen.Select(Messages, Gen.Int[0, 10_000].Array[0, 12]).Sample((messages, cuts) =>
        {
            var (stream, expected) = Wire(messages);
            var decoded = DecodedStream.Decode(stream, cuts.Select(c => c % (stream.Length + 1)).Order().ToArray(), MaxFrame, MaxMessage);
            Assert.Null(decoded.Error);
            Assert.Equal(expected, Reassemble(decoded));
        }, iter: 1000);
    }

    [Fact]
    public void Generated_messages_fed_one_byte_per_read_decode_to_the_same_messages()
    {
        Messages.Sample(messages =>
        {
            var (stream, expected) = Wire(messages);
            Assert.Equal(expected, Reassemble(DecodedStream.ByteByByte(stream, MaxFrame, MaxMessage)));
        }, iter: 100);
    }

    [Fact]
    public void Valid_stream_followed_by_soup_keeps_every_valid_message_then_waits_or_closes_defined()
    {
        Gen.Select(Messages, Gen.Byte.Array[1, 64], Gen.Int[0, 10_000].Array[0, 6]).Sample((messages, soup, cuts) =>
        {
            var (stream, expected) = Wire(messages);
            var decoded = DecodedStream.Decode([.. stream, .. soup], cuts.Select(c => c % (stream.Length + soup.Length + 1)).Order().ToArray(), MaxFrame, MaxMessage);
            Assert.True(decoded.Error is null or CloseStatus.ProtocolError or CloseStatus.MessageTooBig, $"unexpected close {decoded.Error}");
            Assert.Equal(decoded.Error is null, decoded.ErrorReason.Length == 0);
            Assert.Equal(expected, Reassemble(decoded).Take(expected.Count));
        }, iter: 1000);
    }

    [Fact]
    public void Header_shaped_soup_never_throws_or_stalls_and_ends_waiting_or_in_a_defined_close()
    {
        // Plausible first and second bytes reach the deeper states (lengths, mask, payload, fragment rules) that
        // uniform random bytes rarely get past the RSV and mask checks to see.
        Gen<byte> first = Gen.OneOf(Gen.OneOf<byte>(0x81, 0x01, 0x80, 0x00, 0x82, 0x88, 0x89, 0x8A, 0x09, 0x83, 0xC1), Gen.Byte);
        Gen<byte> second = Gen.OneOf(Gen.Byte[0x80, 0xFF], Gen.OneOf<byte>(0xFE, 0xFF, 0xFD, 0x80), Gen.Byte);
        Gen<byte[]> piece = Gen.Select(first, second, Gen.Byte.Array[0, 20]).Select(p => (byte[])[p.Item1, p.Item2, .. p.Item3]);
        Gen.Select(piece.Array[1, 20], Gen.Int[0, 500].Array[0, 8]).Sample((pieces, cuts) =>
        {
            byte[] soup = Concat(pieces);
            foreach (var decoded in new[] { DecodedStream.Decode(soup, cuts.Order(), MaxFrame, MaxMessage), DecodedStream.ByteByByte(soup, MaxFrame, MaxMessage) })
            {
                Assert.True(decoded.Error is null or CloseStatus.ProtocolError or CloseStatus.MessageTooBig, $"unexpected close {decoded.Error}");
                Assert.Equal(decoded.Error is null, decoded.ErrorReason.Length == 0);
            }
        }, iter: 2000);
    }

    [Fact]
    public void Soup_decodes_the_same_whole_and_cut_at_random_reads()
    {
        Gen<byte> plausible = Gen.OneOf(Gen.OneOf<byte>(0x81, 0x01, 0x80, 0x00, 0x89, 0x8A, 0x88, 0x85, 0x87, 0x7E, 0x7F), Gen.Byte);
        Gen.Select(plausible.Array[0, 300], Gen.Int[0, 300].Array[0, 8]).Sample((soup, cuts) =>
        {
            DecodedStream.Decode(soup, cuts.Order(), MaxFrame, MaxMessage).AssertSameAs(DecodedStream.Whole(soup, MaxFrame, MaxMessage));
        }, iter: 2000);
    }

    [Fact]
    public void Error_state_is_terminal_for_any_following_input()
    {
        Gen.Byte.Array[0, 100].Sample(after =>
        {
            var decoder = new FrameDecoder(MaxFrame, MaxMessage);
            Assert.Equal(FrameDecodeStatus.Error, decoder.Decode(Build(Opcode.Continuation, "x"u8), out _, out _));
            var status = decoder.Decode(after, out var consumed, out _);
            Assert.Equal(FrameDecodeStatus.Error, status);
            Assert.Equal(after.Length, consumed);
            Assert.Equal(CloseStatus.ProtocolError, decoder.Error);
        }, iter: 200);
    }

    /// <summary>The wire bytes for the messages, and what a receiver must see: data messages and pings in order.</summary>
    private static (byte[] Stream, List<string> Expected) Wire((bool Binary, byte[] Payload, int[] Cuts, int[] Pings)[] messages)
    {
        var parts = new List<byte[]>();
        var expected = new List<string>();
        var mask = new byte[] { 0x11, 0x92, 0x5A, 0xE7 };
        foreach (var (binary, payload, cuts, pings) in messages)
        {
            var bounds = cuts.Select(c => c % (payload.Length + 1)).Append(payload.Length).Order().Prepend(0).ToArray();
            for (int f = 0; f + 1 < bounds.Length; f++)
            {
                var opcode = f == 0 ? (binary ? Opcode.Binary : Opcode.Text) : Opcode.Continuation;
                var form = (LengthForm)(payload.Length % 3);
                parts.Add(Build(opcode, payload.AsSpan(bounds[f], bounds[f + 1] - bounds[f]), fin: f + 2 == bounds.Length, mask: mask, form: form));
                if (f + 2 < bounds.Length && f < pings.Length && pings[f] >= 0)
                {
                    var control = pings[f] % 2 == 0 ? Opcode.Ping : Opcode.Pong;
                    var body = Enumerable.Range(0, pings[f]).Select(i => (byte)i).ToArray();
                    parts.Add(Build(control, body, mask: mask));
                    expected.Add($"{control}:{Convert.ToHexString(body)}");
                }
            }
            expected.Add($"{(binary ? Opcode.Binary : Opcode.Text)}:{Convert.ToHexString(payload)}");
        }
        return (Concat([.. parts]), expected);
    }

    /// <summary>Reassembles decoded frames the way a receiver does: controls at once, data when FIN arrives.</summary>
    private static List<string> Reassemble(DecodedStream decoded)
    {
        var result = new List<string>();
        var message = new List<byte>();
        foreach (var (fin, opcode, messageOpcode, payload) in decoded.Frames)
        {
            if ((int)opcode >= 8)
            {
                result.Add($"{opcode}:{Convert.ToHexString(payload)}");
                continue;
            }
            message.AddRange(payload);
            if (!fin) continue;
            result.Add($"{messageOpcode}:{Convert.ToHexString(message.ToArray())}");
            message.Clear();
        }
        return result;
    }
}
