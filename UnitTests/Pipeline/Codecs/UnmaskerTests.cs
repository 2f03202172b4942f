using Chat.Pipeline.Codecs;
using CsCheck;
using Xunit;

namespace Chat.UnitTests.Pipeline.Codecs;

public sealed class UnmaskerTests
{
    private const uint Mask = 0xA1B2C3D4;

    public static TheoryData<long> Phases => new() { 0, 1, 2, 3, 4, 5, 6, 7, 1_000_003, long.MaxValue };

    [Theory]
    [MemberData(nameof(Phases))]
    public void In_place_equals_the_naive_loop_for_every_length_up_to_300(long phase)
    {
        for (int length = 0; length <= 300; length++)
        {
            byte[] data = Data(length);
            byte[] expected = Naive(data, Mask, phase);

            Unmasker.Unmask(data, Mask, phase);

            Assert.Equal(expected, data);
        }
    }

    [Theory]
    [MemberData(nameof(Phases))]
    public void Copying_equals_the_naive_loop_for_every_length_up_to_300(long phase)
    {
        for (int length = 0; length <= 300; length++)
        {
            byte[] source = Data(length);
            byte[] before = (byte[])source.Clone();
            var destination = new byte[length + 3];
            destination.AsSpan(length).Fill(0xEE);

            Unmasker.Unmask(source, destination, Mask, phase);

            Assert.Equal(Naive(source, Mask, phase), destination[..length]);
            Assert.Equal(new byte[] { 0xEE, 0xEE, 0xEE }, destination[length..]);
            Assert.Equal(before, source);
        }
    }

    [Fact]
    public void Masking_twice_restores_the_data()
    {
        byte[] data = Data(1000);

        Unmasker.Unmask(data, Mask, 3);
        Unmasker.Unmask(data, Mask, 3);

        Assert.Equal(Data(1000), data);
    }

    [Fact]
    public void Unmasking_in_pieces_with_their_offsets_equals_unmasking_at_once()
    {
        byte[] whole = Data(257);
        byte[] pieces = Data(257);
        Unmasker.Unmask(whole, Mask, 0);

        int[] cuts = [0, 1, 6, 7, 40, 41, 100, 257];
        for (int i = 0; i + 1 < cuts.Length; i++)
        {
            Unmasker.Unmask(pieces.AsSpan(cuts[i], cuts[i + 1] - cuts[i]), Mask, cuts[i]);
        }

        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void Destination_shorter_than_source_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Unmasker.Unmask(new byte[5], new byte[4], Mask, 0));
    }

    [Fact]
    public void Any_data_mask_and_phase_equal_the_naive_loop_in_place_and_copying()
    {
        Gen.Select(Gen.Byte.Array[0, 2000], Gen.UInt, Gen.Long[0, long.MaxValue]).Sample((data, mask, phase) =>
        {
            byte[] expected = Naive(data, mask, phase);
            var copy = new byte[data.Length];
            Unmasker.Unmask(data, copy, mask, phase);
            Assert.Equal(expected, copy);
            Unmasker.Unmask(data, mask, phase);
            Assert.Equal(expected, data);
        }, iter: 500);
    }

    internal static byte[] Naive(byte[] data, uint maskKey, long phase)
    {
        byte[] mask = BitConverter.GetBytes(maskKey);
        if (!BitConverter.IsLittleEndian)
        {
            Array.Reverse(mask);
        }

        var result = new byte[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            result[i] = (byte)(data[i] ^ mask[(int)(((phase % 4) + i) % 4)]);
        }

        return result;
    }

    private static byte[] Data(int length) => Enumerable.Range(0, length).Select(i => (byte)((i * 31) + 7)).ToArray();
}
