using System.Text;
using Chat.Pipeline.Codecs;
using CsCheck;
using Xunit;

namespace Chat.UnitTests.Pipeline.Codecs;

/// <summary>
/// The request head path as the parse-header stage drives it: the terminator scanner over chunks cut anywhere, then
/// the parser. Valid heads parse the same however they are cut; byte soup never throws and gets a defined answer.
/// </summary>
public sealed class HttpHeadParserPropertyTests
{
    private static readonly Gen<string> Token = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz-"], 1, 12];
    private static readonly Gen<string> Value = Gen.String[Gen.Char[" !#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~"], 0, 40];

    [Fact]
    public void Valid_head_cut_at_random_points_ends_at_the_same_byte_and_parses_the_same()
    {
        Gen.Select(Token, Gen.Select(Token, Value).Array[0, 12], Gen.Bool, Gen.Int[0, 2000].Array[0, 6]).Sample((path, headers, bareLf, cuts) =>
        {
            string eol = bareLf ? "\n" : "\r\n";
            var text = new StringBuilder($"GET /{path}?a=1 HTTP/1.1{eol}Host: 127.0.0.1{eol}");
            foreach (var (name, value) in headers)
            {
                text.Append($"x-{name}: {value.Trim()}{eol}");
            }
            text.Append(eol);
            byte[] head = Encoding.ASCII.GetBytes(text.ToString());
            byte[] stream = [.. head, .. "GET /next"u8];

            Assert.Equal(head.Length, ScanInChunks(stream, cuts.Select(c => c % (stream.Length + 1)).Order().ToArray()));
            Assert.Equal(HttpParseError.None, HttpHeadParser.Parse(head, out var parsed));
            Assert.Equal("/" + path, Encoding.ASCII.GetString(head[parsed.Path]));
            Assert.Equal("a=1", Encoding.ASCII.GetString(head[parsed.Query]));
            Assert.True(parsed.KeepAlive);
        }, iter: 1000);
    }

    [Fact]
    public void Byte_soup_never_throws_and_is_refused_or_parsed_with_ranges_inside_the_head()
    {
        Gen<byte> plausible = Gen.OneOf(Gen.OneOf<byte>((byte)'\r', (byte)'\n', (byte)' ', (byte)':', (byte)'/', (byte)'G', (byte)'E', (byte)'T', (byte)'H'), Gen.Byte);
        Gen<byte[]> soup = Gen.Select(plausible.Array[0, 200], Gen.Bool).Select((bytes, prefix) =>
            prefix ? [.. "GET / HTTP/1.1\r\nHost: a\r\n"u8, .. bytes, .. "\r\n\r\n"u8] : bytes);
        soup.Sample(bytes =>
        {
            var error = HttpHeadParser.Parse(bytes, out var parsed);
            Assert.True(Enum.IsDefined(error));
            if (error is HttpParseError.None or HttpParseError.HasBody)
            {
                foreach (var range in new[] { parsed.Path, parsed.Query, parsed.Host, parsed.MethodToken })
                {
                    Assert.InRange(range.End.GetOffset(bytes.Length), range.Start.GetOffset(bytes.Length), bytes.Length);
                }
            }
        }, iter: 5000);
    }

    [Fact]
    public void Scanner_over_soup_cut_anywhere_finds_the_terminator_where_a_whole_scan_does()
    {
        Gen<byte> lineBytes = Gen.OneOf(Gen.OneOf<byte>((byte)'\r', (byte)'\n', (byte)'a'), Gen.Byte);
        Gen.Select(lineBytes.Array[0, 100], Gen.Int[0, 100].Array[0, 6]).Sample((soup, cuts) =>
        {
            Assert.Equal(ScanInChunks(soup, []), ScanInChunks(soup, cuts.Where(c => c <= soup.Length).Order().ToArray()));
        }, iter: 5000);
    }

    /// <summary>The index just past the first terminator, or -1, scanning in the given chunks.</summary>
    private static int ScanInChunks(byte[] stream, int[] cuts)
    {
        var scanner = new HeadTerminatorScanner();
        int start = 0;
        foreach (int cut in cuts.Append(stream.Length))
        {
            if (cut < start)
            {
                continue;
            }

            int end = scanner.Scan(stream.AsSpan(start, cut - start));
            if (end >= 0)
            {
                return start + end;
            }

            start = cut;
        }

        return -1;
    }
}
