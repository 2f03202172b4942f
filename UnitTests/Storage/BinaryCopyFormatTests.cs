using Chat.Storage;
using Xunit;

namespace Chat.UnitTests.Storage;

public sealed class BinaryCopyFormatTests
{
    [Fact]
    public void The_header_is_the_signature_then_zero_flags_and_zero_extension()
    {
        Assert.Equal(new byte[] { 0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0 }, BinaryCopyFormat.Header.ToArray());
        Assert.Equal(new byte[] { 0xFF, 0xFF }, BinaryCopyFormat.Trailer.ToArray());
    }

    [Fact]
    public void A_row_is_five_fields_each_with_a_big_endian_length()
    {
        var createdAt = new DateTime(2000, 1, 1, 0, 0, 1, DateTimeKind.Utc).AddTicks(10);
        var row = new byte[BinaryCopyFormat.RowSize(1, 2, 3)];

        var written = BinaryCopyFormat.WriteRow(row, "r"u8, 0x0102030405060708, "ab"u8, "xyz"u8, createdAt);

        byte[] expected =
        [
            0, 5,
            0, 0, 0, 1, (byte)'r',
            0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,
            0, 0, 0, 2, (byte)'a', (byte)'b',
            0, 0, 0, 3, (byte)'x', (byte)'y', (byte)'z',
            // 1 s and 1 µs after PostgreSQL's epoch: 1,000,001 µs = 0x0F4241.
            0, 0, 0, 8, 0, 0, 0, 0, 0, 0x0F, 0x42, 0x41,
        ];
        Assert.Equal(expected.Length, written);
        Assert.Equal(expected, row);
    }

    [Fact]
    public void Timestamps_before_2000_are_negative_microseconds()
    {
        Assert.Equal(-946_684_800_000_000L, BinaryCopyFormat.ToPostgresMicroseconds(DateTime.UnixEpoch));
    }

    [Fact]
    public void An_empty_text_field_is_a_zero_length_not_a_null()
    {
        var row = new byte[BinaryCopyFormat.RowSize(1, 0, 0)];
        BinaryCopyFormat.WriteRow(row, "r"u8, 1, [], [], DateTime.UnixEpoch);

        Assert.Equal(new byte[] { 0, 0, 0, 0 }, row[19..23]);
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, row[23..27]);
    }
}
