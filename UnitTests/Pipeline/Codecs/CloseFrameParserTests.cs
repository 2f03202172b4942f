using System.Buffers.Binary;
using System.Text.Unicode;
using Chat.Pipeline.Codecs;
using CsCheck;
using Xunit;

namespace Chat.UnitTests.Pipeline.Codecs;

public sealed class CloseFrameParserTests
{
    [Theory]
    [InlineData(1000)]
    [InlineData(1003)]
    [InlineData(1007)]
    [InlineData(1011)]
    [InlineData(3000)]
    [InlineData(4999)]
    public void Valid_code_is_read(int code)
    {
        Assert.Equal(CloseFrameError.None, CloseFrameParser.Parse(Payload(code, "bye"u8), out var read));
        Assert.Equal(code, read);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void Invalid_code_is_refused(int code) =>
        Assert.Equal(CloseFrameError.InvalidCode, CloseFrameParser.Parse(Payload(code, []), out _));

    [Fact]
    public void Empty_payload_is_a_close_without_status() =>
        Assert.Equal(CloseFrameError.Empty, CloseFrameParser.Parse([], out _));

    [Fact]
    public void One_byte_payload_is_refused() =>
        Assert.Equal(CloseFrameError.OneBytePayload, CloseFrameParser.Parse([0x03], out _));

    [Fact]
    public void Reason_that_is_not_utf8_is_refused() =>
        Assert.Equal(CloseFrameError.InvalidUtf8Reason, CloseFrameParser.Parse(Payload(1000, [0xED, 0xA0, 0x80]), out _));

    [Fact]
    public void Any_payload_gets_the_answer_of_the_rules_and_never_throws()
    {
        Gen.Select(Gen.UShort, Gen.Byte.Array[0, 123], Gen.Int[0, 2]).Sample((code, reason, shape) =>
        {
            byte[] payload = shape == 0 ? reason.Take(1).ToArray() : Payload(code, reason);
            CloseFrameError expected = payload.Length switch
            {
                0 => CloseFrameError.Empty,
                1 => CloseFrameError.OneBytePayload,
                _ when !CloseStatusRules.IsValidOnWire(code) => CloseFrameError.InvalidCode,
                _ when !Utf8.IsValid(reason) => CloseFrameError.InvalidUtf8Reason,
                _ => CloseFrameError.None,
            };
            Assert.Equal(expected, CloseFrameParser.Parse(payload, out _));
        }, iter: 5000);
    }

    private static byte[] Payload(int code, ReadOnlySpan<byte> reason)
    {
        var payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reason.CopyTo(payload.AsSpan(2));
        return payload;
    }
}
