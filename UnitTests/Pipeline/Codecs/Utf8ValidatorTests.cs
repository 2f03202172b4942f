using System.Text;
using System.Text.Unicode;
using Chat.Pipeline.Codecs;
using CsCheck;
using Xunit;

namespace Chat.UnitTests.Pipeline.Codecs;

public sealed class Utf8ValidatorTests
{
    // Markus Kuhn's UTF-8 decoder capability and stress test, sections 2-5, as hex.
    public static TheoryData<string> ValidSequences => new()
    {
        "",
        "00",
        "7F",
        "C2 80",
        "DF BF",
        "E0 A0 80",
        "EF BF BF",
        "ED 9F BF",
        "EE 80 80",
        "EF BF BD",
        "F0 90 80 80",
        "F4 8F BF BF",
        "CE BA E1 BD B9 CF 83 CE BC CE B5",
        "EF BF BE",
        "F0 9F 98 80",
    };

    public static TheoryData<string> InvalidSequences => new()
    {
        "80",
        "BF",
        "80 BF 80",
        "C0 80",
        "C1 BF",
        "C0 AF",
        "E0 80 AF",
        "E0 9F BF",
        "F0 80 80 AF",
        "F0 8F BF BF",
        "F8 88 80 80 80",
        "FC 84 80 80 80 80",
        "FE",
        "FF",
        "F5 80 80 80",
        "F4 90 80 80",
        "F7 BF BF BF",
        "ED A0 80",
        "ED AD BF",
        "ED B0 80",
        "ED BF BF",
        "ED A0 80 ED B0 80",
        "C2 41",
        "E1 80 41",
        "F1 80 80 41",
        "41 C2 C2 80",
        "E0 A0 C0",
    };

    // Sequences cut before their end: valid so far, but truncated at the end of the message.
    public static TheoryData<string> TruncatedSequences => new()
    {
        "C2",
        "E0 A0",
        "E1",
        "F0 90 80",
        "F4 8F",
        "41 42 F1 80 80",
    };

    // Prefixes that no continuation can make valid: rejected as soon as they are seen (fail-fast).
    public static TheoryData<string> ImpossiblePrefixes => new()
    {
        "C0",
        "C1",
        "F5",
        "FF",
        "E0 80",
        "E0 9F",
        "ED A0",
        "ED BF",
        "F0 80",
        "F0 8F",
        "F4 90",
        "F4 BF",
        "41 41 F4 90",
        "E1 41",
    };

    [Theory]
    [MemberData(nameof(ValidSequences))]
    public void Valid_sequences_are_valid_and_complete(string hex)
    {
        var validator = new Utf8Validator();

        Assert.Equal(Utf8Status.Valid, validator.Validate(Hex(hex)));
        Assert.True(validator.IsComplete);
    }

    [Theory]
    [MemberData(nameof(InvalidSequences))]
    public void Invalid_sequences_are_invalid(string hex)
    {
        var validator = new Utf8Validator();

        Assert.Equal(Utf8Status.Invalid, validator.Validate(Hex(hex)));
        Assert.False(validator.IsComplete);
    }

    [Theory]
    [MemberData(nameof(TruncatedSequences))]
    public void Truncated_sequence_is_valid_so_far_but_incomplete(string hex)
    {
        var validator = new Utf8Validator();

        Assert.Equal(Utf8Status.Valid, validator.Validate(Hex(hex)));
        Assert.False(validator.IsComplete);
    }

    [Theory]
    [MemberData(nameof(ImpossiblePrefixes))]
    public void Prefix_no_continuation_can_complete_is_invalid_at_once(string hex)
    {
        var validator = new Utf8Validator();

        Assert.Equal(Utf8Status.Invalid, validator.Validate(Hex(hex)));
    }

    [Theory]
    [MemberData(nameof(ImpossiblePrefixes))]
    public void Prefix_no_continuation_can_complete_is_invalid_at_once_when_fed_byte_by_byte(string hex)
    {
        byte[] bytes = Hex(hex);
        var validator = new Utf8Validator();
        for (int i = 0; i < bytes.Length - 1; i++)
        {
            Assert.Equal(Utf8Status.Valid, validator.Validate(bytes.AsSpan(i, 1)));
        }

        Assert.Equal(Utf8Status.Invalid, validator.Validate(bytes.AsSpan(bytes.Length - 1)));
    }

    [Fact]
    public void Every_valid_string_split_at_every_offset_stays_valid()
    {
        byte[] text = Encoding.UTF8.GetBytes("ascii then κόσμε, 中文, 😀 and \U0010FFFF, end " + new string('x', 40) + "é😀");
        for (int cut = 0; cut <= text.Length; cut++)
        {
            var validator = new Utf8Validator();
            Assert.Equal(Utf8Status.Valid, validator.Validate(text.AsSpan(0, cut)));
            Assert.Equal(Utf8Status.Valid, validator.Validate(text.AsSpan(cut)));
            Assert.True(validator.IsComplete);
        }
    }

    [Fact]
    public void Every_valid_string_fed_byte_by_byte_stays_valid()
    {
        byte[] text = Encoding.UTF8.GetBytes("κόσμε 😀 \u0800 \uFFFD \U00010000");
        var validator = new Utf8Validator();

        foreach (byte b in text)
        {
            Assert.Equal(Utf8Status.Valid, validator.Validate([b]));
        }

        Assert.True(validator.IsComplete);
    }

    [Fact]
    public void Invalid_byte_deep_in_a_long_chunk_is_found()
    {
        byte[] text = Encoding.UTF8.GetBytes(new string('a', 1000) + "é" + new string('b', 1000));
        text[1500] = 0xFF;

        Assert.Equal(Utf8Status.Invalid, new Utf8Validator().Validate(text));
    }

    [Fact]
    public void Once_invalid_it_stays_invalid_until_reset()
    {
        var validator = new Utf8Validator();

        Assert.Equal(Utf8Status.Invalid, validator.Validate([0xC0]));
        Assert.Equal(Utf8Status.Invalid, validator.Validate("fine"u8));
        Assert.False(validator.IsComplete);

        validator.Reset();
        Assert.Equal(Utf8Status.Valid, validator.Validate("fine"u8));
        Assert.True(validator.IsComplete);
    }

    [Fact]
    public void Reset_drops_a_pending_sequence()
    {
        var validator = new Utf8Validator();
        validator.Validate([0xE2, 0x82]);

        validator.Reset();

        Assert.True(validator.IsComplete);
        Assert.Equal(Utf8Status.Valid, validator.Validate("a"u8));
    }

    [Fact]
    public void Equals_the_bcl_on_random_byte_strings_whole_and_cut_in_chunks()
    {
        // Bytes biased towards the interesting ranges (ASCII, continuation bytes, lead bytes) so both outcomes occur.
        Gen<byte> interesting = Gen.OneOf(Gen.Byte[0x00, 0x7F], Gen.Byte[0x80, 0xBF], Gen.Byte[0xC0, 0xFF],
            Gen.OneOf<byte>(0xE0, 0xED, 0xF0, 0xF4, 0xA0, 0x90, 0x8F, 0x9F));
        Gen.Select(interesting.Array[0, 64], Gen.Int[0, 64].Array[0, 4]).Sample((bytes, cuts) =>
        {
            bool expected = Utf8.IsValid(bytes);
            Assert.Equal(expected, ValidateInChunks(bytes, []));
            Assert.Equal(expected, ValidateInChunks(bytes, cuts.Order().ToArray()));
        }, iter: 5000);
    }

    [Fact]
    public void Equals_the_bcl_on_valid_text_with_one_random_byte_changed()
    {
        Gen.Select(Gen.String[0, 100], Gen.Int[0, 1000], Gen.Byte, Gen.Int[0, 400]).Sample((text, at, value, cut) =>
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text + "é中😀" + text);
            bytes[at % bytes.Length] = value;
            Assert.Equal(Utf8.IsValid(bytes), ValidateInChunks(bytes, [Math.Min(cut, bytes.Length)]));
        }, iter: 2000);
    }

    public static TheoryData<string> MultiByteCharacters => new() { "é", "中", "😀", "\U0010FFFF" };

    // The vectorized ASCII scan works in 16- and 32-byte steps: a sequence straddling a step edge or a chunk boundary
    // must be handed between the vector loop, the scalar tail and the pending state without a byte lost or read twice.
    [Theory]
    [MemberData(nameof(MultiByteCharacters))]
    public void Multi_byte_character_at_every_offset_around_the_vector_edges_is_valid_whole_and_split(string character)
    {
        for (int at = 0; at <= 70; at++)
        {
            byte[] text = Encoding.UTF8.GetBytes(new string('a', at) + character + new string('b', 96 - at));
            Assert.Equal(Utf8Status.Valid, new Utf8Validator().Validate(text));
            for (int cut = Math.Max(0, at - 1); cut <= at + 5; cut++)
            {
                Assert.True(ValidateInChunks(text, [cut]), $"{character} at {at}, cut at {cut}");
            }
        }
    }

    [Theory]
    [InlineData(0x80)]
    [InlineData(0xC0)]
    [InlineData(0xF5)]
    [InlineData(0xFF)]
    public void Invalid_byte_at_every_offset_around_the_vector_edges_is_found_whole_and_split(int bad)
    {
        for (int at = 0; at < 96; at++)
        {
            byte[] text = Encoding.UTF8.GetBytes(new string('a', 96));
            text[at] = (byte)bad;
            Assert.Equal(Utf8Status.Invalid, new Utf8Validator().Validate(text));
            Assert.False(ValidateInChunks(text, [16, 32, 64]), $"0x{bad:X2} at {at}");
        }
    }

    [Fact]
    public void Lead_byte_ending_a_full_vector_of_ascii_waits_for_its_continuation_in_the_next_chunk()
    {
        byte[] text = Encoding.UTF8.GetBytes(new string('a', 31) + "😀" + new string('b', 32));
        var validator = new Utf8Validator();

        Assert.Equal(Utf8Status.Valid, validator.Validate(text.AsSpan(0, 32)));
        Assert.False(validator.IsComplete);
        Assert.Equal(Utf8Status.Valid, validator.Validate(text.AsSpan(32)));
        Assert.True(validator.IsComplete);
    }

    [Fact]
    public void Wrong_continuation_after_a_lead_byte_that_ended_a_full_vector_is_refused_in_the_next_chunk()
    {
        byte[] text = Encoding.UTF8.GetBytes(new string('a', 31) + "中" + new string('b', 32));
        text[33] = (byte)'x';
        var validator = new Utf8Validator();

        Assert.Equal(Utf8Status.Valid, validator.Validate(text.AsSpan(0, 32)));
        Assert.Equal(Utf8Status.Invalid, validator.Validate(text.AsSpan(32)));
    }

    internal static byte[] Hex(string hex) =>
        hex.Length == 0 ? [] : hex.Split(' ').Select(h => Convert.ToByte(h, 16)).ToArray();

    private static bool ValidateInChunks(byte[] bytes, int[] cuts)
    {
        var validator = new Utf8Validator();
        int start = 0;
        foreach (int cut in cuts.Where(c => c <= bytes.Length).Append(bytes.Length))
        {
            if (cut < start)
            {
                continue;
            }

            if (validator.Validate(bytes.AsSpan(start, cut - start)) == Utf8Status.Invalid)
            {
                return false;
            }

            start = cut;
        }

        return validator.IsComplete;
    }
}
