using System.Buffers;
using System.Text;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// Escapes text for the inside of a JSON string (RFC 8259 section 7): " and \ and the controls below U+0020.
/// Everything else, multi-byte UTF-8 included, is copied as is.
/// </summary>
internal static class JsonStringEscaper
{
    /// <summary>Worst case per input byte (or UTF-16 char): a control character becomes \u00XX.</summary>
    public const int MaxExpansion = 6;

    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"u8
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\"\\"u8);

    /// <summary>Escapes UTF-8 into destination (at least MaxExpansion * source.Length); returns bytes written.</summary>
    public static int Escape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            int special = source.IndexOfAny(NeedsEscape);
            int run = special < 0 ? source.Length : special;
            source[..run].CopyTo(destination[written..]);
            written += run;
            if (special < 0)
            {
                return written;
            }

            written += WriteEscape(source[special], destination[written..]);
            source = source[(special + 1)..];
        }
    }

    /// <summary>Escapes a .NET string as UTF-8 (lone surrogates become U+FFFD); returns bytes written.</summary>
    public static int Escape(string source, Span<byte> destination)
    {
        int written = 0;
        foreach (Rune rune in source.EnumerateRunes())
        {
            written += rune.Value < 0x20 || rune.Value == '"' || rune.Value == '\\'
                ? WriteEscape((byte)rune.Value, destination[written..])
                : rune.EncodeToUtf8(destination[written..]);
        }

        return written;
    }

    private static int WriteEscape(byte b, Span<byte> destination)
    {
        byte shortForm = b switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            (byte)'\n' => (byte)'n',
            (byte)'\r' => (byte)'r',
            (byte)'\t' => (byte)'t',
            (byte)'\b' => (byte)'b',
            (byte)'\f' => (byte)'f',
            _ => 0,
        };
        destination[0] = (byte)'\\';
        if (shortForm != 0)
        {
            destination[1] = shortForm;
            return 2;
        }

        "u00"u8.CopyTo(destination[1..]);
        destination[4] = HexDigit(b >> 4);
        destination[5] = HexDigit(b & 0xF);
        return 6;
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);
}
