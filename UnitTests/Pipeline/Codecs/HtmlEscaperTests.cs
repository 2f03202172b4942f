using System.Buffers;
using System.Text;
using Chat.Pipeline.Codecs;
using CsCheck;
using Xunit;

namespace Chat.UnitTests.Pipeline.Codecs;

public sealed class HtmlEscaperTests
{
    [Theory]
    [InlineData("&", "&amp;")]
    [InlineData("<", "&lt;")]
    [InlineData(">", "&gt;")]
    [InlineData("\"", "&quot;")]
    [InlineData("'", "&#39;")]
    public void Each_special_character_becomes_its_entity(string input, string expected)
    {
        Assert.Equal(expected, Escape(input));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("plain text", "plain text")]
    [InlineData("<<>>", "&lt;&lt;&gt;&gt;")]
    [InlineData("a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f")]
    [InlineData("hello <b>world</b>", "hello &lt;b&gt;world&lt;/b&gt;")]
    [InlineData("&amp;", "&amp;amp;")]
    public void Runs_between_specials_are_copied_whole(string input, string expected)
    {
        Assert.Equal(expected, Escape(input));
    }

    [Fact]
    public void Multi_byte_utf8_is_left_untouched()
    {
        Assert.Equal("κόσμε &lt; 中文 😀 &amp; é", Escape("κόσμε < 中文 😀 & é"));
    }

    [Fact]
    public void Max_escaped_length_is_six_bytes_per_input_byte()
    {
        Assert.Equal(0, HtmlEscaper.MaxEscapedLength(0));
        Assert.Equal(600, HtmlEscaper.MaxEscapedLength(100));
        Assert.Equal(600, Escape(new string('"', 100)).Length);
    }

    [Fact]
    public void Destination_too_small_reports_how_far_it_got_and_resumes_to_the_same_result()
    {
        byte[] source = "ab<cd&ef"u8.ToArray();
        var destination = new byte[64];
        for (int size = 0; size < "ab&lt;cd&amp;ef".Length; size++)
        {
            OperationStatus status = HtmlEscaper.Escape(source, destination.AsSpan(0, size), out int consumed, out int written);

            Assert.Equal(OperationStatus.DestinationTooSmall, status);
            Assert.InRange(written, 0, size);
            Assert.Equal(OperationStatus.Done, HtmlEscaper.Escape(source.AsSpan(consumed), destination.AsSpan(written), out int restConsumed, out int restWritten));
            Assert.Equal(source.Length, consumed + restConsumed);
            Assert.Equal("ab&lt;cd&amp;ef", Encoding.UTF8.GetString(destination, 0, written + restWritten));
        }
    }

    [Fact]
    public void Entity_is_never_split_across_calls()
    {
        var destination = new byte[3];

        Assert.Equal(OperationStatus.DestinationTooSmall, HtmlEscaper.Escape("a<"u8, destination, out int consumed, out int written));
        Assert.Equal(1, consumed);
        Assert.Equal(1, written);
    }

    [Fact]
    public void Exact_size_destination_is_enough()
    {
        var destination = new byte[10];

        Assert.Equal(OperationStatus.Done, HtmlEscaper.Escape("a<b>"u8, destination, out int consumed, out int written));
        Assert.Equal(4, consumed);
        Assert.Equal(10, written);
    }

    [Fact]
    public void Equals_a_reference_that_escapes_only_the_five_characters()
    {
        Gen.String.Sample(text => Assert.Equal(Reference(text), Escape(text)), iter: 2000);
        Gen.Char["&<>\"'ab é"].Array[0, 100].Select(c => new string(c)).Sample(text => Assert.Equal(Reference(text), Escape(text)), iter: 2000);
    }

    // After a special the escaper goes byte by byte for up to 16 plain bytes, then back to the vectorized search:
    // gaps around that length (and around the 16/32-byte vector steps) cross between the two paths.
    [Fact]
    public void Specials_separated_by_every_gap_length_around_the_scalar_stretch_equal_the_reference()
    {
        for (int gap = 0; gap <= 40; gap++)
        {
            string plain = new('x', gap);
            string text = "<" + plain + "&" + plain + "\"" + plain + "'" + plain + ">" + plain;
            Assert.Equal(Reference(text), Escape(text));
            Assert.Equal(Reference(plain + text), Escape(plain + text));
        }
    }

    [Fact]
    public void Destination_too_small_inside_dense_markup_resumes_to_the_same_result_at_every_size()
    {
        string text = "<b>" + new string('y', 20) + "</b> & \"q\" <i>it's</i>" + new string('z', 17) + "&&";
        byte[] source = Encoding.UTF8.GetBytes(text);
        string expected = Reference(text);
        var destination = new byte[HtmlEscaper.MaxEscapedLength(source.Length)];
        for (int size = 0; size < expected.Length; size++)
        {
            Assert.Equal(OperationStatus.DestinationTooSmall, HtmlEscaper.Escape(source, destination.AsSpan(0, size), out int consumed, out int written));
            Assert.InRange(written, Math.Max(0, size - 5), size);
            Assert.Equal(OperationStatus.Done, HtmlEscaper.Escape(source.AsSpan(consumed), destination.AsSpan(written), out int restConsumed, out int restWritten));
            Assert.Equal(source.Length, consumed + restConsumed);
            Assert.Equal(expected, Encoding.UTF8.GetString(destination, 0, written + restWritten));
        }
    }

    private static string Reference(string text)
    {
        var builder = new StringBuilder();
        foreach (char c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    private static string Escape(string text)
    {
        byte[] source = Encoding.UTF8.GetBytes(text);
        var destination = new byte[HtmlEscaper.MaxEscapedLength(source.Length)];
        Assert.Equal(OperationStatus.Done, HtmlEscaper.Escape(source, destination, out int consumed, out int written));
        Assert.Equal(source.Length, consumed);
        return Encoding.UTF8.GetString(destination, 0, written);
    }
}
