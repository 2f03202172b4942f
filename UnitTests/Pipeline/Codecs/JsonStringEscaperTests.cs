using System.Text;
using System.Text.Json;
using Chat.Pipeline.Codecs;
using CsCheck;
using Xunit;

namespace Chat.UnitTests.Pipeline.Codecs;

public sealed class JsonStringEscaperTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("\n\r\t\b\f", "\\n\\r\\t\\b\\f")]
    [InlineData("\u0000\u001f", "\\u0000\\u001f")]
    [InlineData("é😀/<", "é😀/<")]
    public void Escapes_quote_backslash_and_controls_only(string input, string expected)
    {
        byte[] source = Encoding.UTF8.GetBytes(input);
        var utf8 = new byte[JsonStringEscaper.MaxExpansion * source.Length];
        var utf16 = new byte[JsonStringEscaper.MaxExpansion * input.Length];

        Assert.Equal(expected, Encoding.UTF8.GetString(utf8, 0, JsonStringEscaper.Escape(source, utf8)));
        Assert.Equal(expected, Encoding.UTF8.GetString(utf16, 0, JsonStringEscaper.Escape(input, utf16)));
    }

    [Fact]
    public void Lone_surrogate_in_a_string_becomes_the_replacement_character()
    {
        var destination = new byte[12];

        int written = JsonStringEscaper.Escape("a\ud800", destination);

        Assert.Equal("a\uFFFD", Encoding.UTF8.GetString(destination, 0, written));
    }

    [Fact]
    public void Escaped_text_parses_back_to_the_original()
    {
        Gen.String.Sample(text =>
        {
            byte[] source = Encoding.UTF8.GetBytes(text);
            var fromBytes = new byte[(JsonStringEscaper.MaxExpansion * source.Length) + 2];
            var fromString = new byte[(JsonStringEscaper.MaxExpansion * text.Length) + 2];
            Assert.Equal(Encoding.UTF8.GetString(source), Quoted(fromBytes, JsonStringEscaper.Escape(source, fromBytes.AsSpan(1))));
            Assert.Equal(Encoding.UTF8.GetString(source), Quoted(fromString, JsonStringEscaper.Escape(text, fromString.AsSpan(1))));
        }, iter: 2000);
    }

    private static string? Quoted(byte[] buffer, int written)
    {
        buffer[0] = (byte)'"';
        buffer[written + 1] = (byte)'"';
        return JsonSerializer.Deserialize<string>(buffer.AsSpan(0, written + 2));
    }
}
