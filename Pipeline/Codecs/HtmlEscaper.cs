using System.Buffers;

namespace Chat.Pipeline.Codecs;

/// <summary>HTML escaping of UTF-8 text: finds specials with a vectorized search and copies the runs between them whole.</summary>
internal static class HtmlEscaper
{
    private static readonly SearchValues<byte> Specials = SearchValues.Create("&<>\"'"u8);

    /// <summary>Worst case: every byte becomes the 6-byte <c>&amp;quot;</c>.</summary>
    public static int MaxEscapedLength(int length) => length * 6;

    /// <summary>
    /// Escapes &amp; &lt; &gt; " ' as &amp;amp; &amp;lt; &amp;gt; &amp;quot; &amp;#39;. Returns Done, or DestinationTooSmall with
    /// consumed/written telling how far it got (resume with source[consumed..]). Other bytes are copied unchanged.
    /// </summary>
    public static OperationStatus Escape(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed, out int written)
    {
        consumed = 0;
        written = 0;
        while (true)
        {
            ReadOnlySpan<byte> rest = source[consumed..];
            int special = rest.IndexOfAny(Specials);
            int run = special < 0 ? rest.Length : special;
            int room = destination.Length - written;
            if (run > room)
            {
                rest[..room].CopyTo(destination[written..]);
                consumed += room;
                written += room;
                return OperationStatus.DestinationTooSmall;
            }

            rest[..run].CopyTo(destination[written..]);
            consumed += run;
            written += run;
            if (special < 0)
            {
                return OperationStatus.Done;
            }

            ReadOnlySpan<byte> entity = rest[special] switch
            {
                (byte)'&' => "&amp;"u8,
                (byte)'<' => "&lt;"u8,
                (byte)'>' => "&gt;"u8,
                (byte)'"' => "&quot;"u8,
                _ => "&#39;"u8,
            };
            if (entity.Length > destination.Length - written)
            {
                return OperationStatus.DestinationTooSmall;
            }

            entity.CopyTo(destination[written..]);
            written += entity.Length;
            consumed++;
        }
    }
}
