using System.Buffers;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// HTML escaping of UTF-8 text: finds specials with a vectorized search and copies the runs between them whole. Where
/// specials come close together (markup, code), it goes on byte by byte until a plain stretch is long again, since
/// there a search call per special costs more than the bytes it skips (HtmlEscaperBenchmarks, SomeEscapes).
/// </summary>
internal static class HtmlEscaper
{
    // Plain bytes after a special that are copied one at a time before the vectorized search takes over again.
    private const int ScalarStretch = 16;

    private static readonly SearchValues<byte> Specials = SearchValues.Create("&<>\"'"u8);

    /// <summary>Worst case: every byte becomes the 6-byte <c>&amp;quot;</c>.</summary>
    public static int MaxEscapedLength(int length) => length * 6;

    /// <summary>
    /// Escapes &amp; &lt; &gt; " ' as &amp;amp; &amp;lt; &amp;gt; &amp;quot; &amp;#39;. Returns Done, or DestinationTooSmall with
    /// consumed/written telling how far it got (resume with source[consumed..]); an entity is never split. Other bytes
    /// are copied unchanged. Writes destination[..written] only.
    /// </summary>
    public static OperationStatus Escape(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed, out int written)
    {
        int i = 0;
        int w = 0;
        while (i < source.Length)
        {
            int run = source[i..].IndexOfAny(Specials);
            if (run < 0)
            {
                run = source.Length - i;
            }

            int room = destination.Length - w;
            if (run > room)
            {
                source.Slice(i, room).CopyTo(destination[w..]);
                consumed = i + room;
                written = w + room;
                return OperationStatus.DestinationTooSmall;
            }

            source.Slice(i, run).CopyTo(destination[w..]);
            i += run;
            w += run;
            bool full = false;
            for (int plain = 0; i < source.Length && plain < ScalarStretch; i++)
            {
                byte b = source[i];
                if (!Specials.Contains(b))
                {
                    if (w == destination.Length)
                    {
                        full = true;
                        break;
                    }

                    destination[w++] = b;
                    plain++;
                    continue;
                }

                ReadOnlySpan<byte> entity = Entity(b);
                if (entity.Length > destination.Length - w)
                {
                    full = true;
                    break;
                }

                entity.CopyTo(destination[w..]);
                w += entity.Length;
                plain = 0;
            }

            if (full)
            {
                consumed = i;
                written = w;
                return OperationStatus.DestinationTooSmall;
            }
        }

        consumed = i;
        written = w;
        return OperationStatus.Done;
    }

    private static ReadOnlySpan<byte> Entity(byte special) => special switch
    {
        (byte)'&' => "&amp;"u8,
        (byte)'<' => "&lt;"u8,
        (byte)'>' => "&gt;"u8,
        (byte)'"' => "&quot;"u8,
        _ => "&#39;"u8,
    };
}
