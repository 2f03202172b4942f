using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using Chat.Storage;
using CsCheck;
using Xunit;

namespace Chat.UnitTests.Storage;

public sealed class StoredTextTests
{
    [Fact]
    public void Valid_utf8_without_nul_is_returned_as_the_same_memory()
    {
        var bytes = "héllo 😀 &lt;b&gt;"u8.ToArray();

        var stored = StoredText.Sanitize(bytes);

        Assert.True(MemoryMarshal.TryGetArray(stored, out var segment));
        Assert.Same(bytes, segment.Array);
        Assert.Equal(bytes.Length, stored.Length);
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x00, 0x62 }, "a\uFFFDb")]
    [InlineData(new byte[] { 0x61, 0xFF }, "a\uFFFD")]
    [InlineData(new byte[] { 0xC3 }, "\uFFFD")]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, "\uFFFD\uFFFD\uFFFD")]
    public void Nul_and_invalid_sequences_become_replacement_characters(byte[] input, string expected)
    {
        Assert.Equal(expected, StoredText.ToStoredString(input));
    }

    [Fact]
    public void Any_string_without_nul_is_stored_byte_for_byte()
    {
        Gen.String.Where(s => !s.Contains('\0')).Sample(s =>
        {
            var utf8 = Encoding.UTF8.GetBytes(s);
            Assert.Equal(utf8, StoredText.Sanitize(utf8).ToArray());
        });
    }

    [Fact]
    public void Any_bytes_become_valid_utf8_without_nul()
    {
        Gen.Byte.Array.Sample(bytes =>
        {
            var stored = StoredText.Sanitize(bytes).Span;
            Assert.True(Utf8.IsValid(stored));
            Assert.Equal(-1, stored.IndexOf((byte)0));
        });
    }
}
