using System.Text;
using System.Text.Unicode;

namespace Chat.Storage;

/// <summary>What both stores do to text before writing it, so that they keep one contract.</summary>
internal static class StoredText
{
    /// <summary>
    /// Returns <paramref name="utf8"/> itself when it is valid UTF-8 without U+0000 (the normal case: two vectorized
    /// scans, no copy); otherwise a copy where invalid sequences and U+0000 are U+FFFD. PostgreSQL rejects both in a
    /// text column, and a rejected row would fail its batch on every retry.
    /// </summary>
    public static ReadOnlyMemory<byte> Sanitize(ReadOnlyMemory<byte> utf8)
    {
        var span = utf8.Span;
        if (span.IndexOf((byte)0) < 0 && Utf8.IsValid(span))
        {
            return utf8;
        }

        // Encoding.UTF8 replaces invalid sequences with U+FFFD when decoding.
        var text = Encoding.UTF8.GetString(span).Replace('\0', '\uFFFD');
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>The sanitized text as a string (the SQLite path binds strings).</summary>
    public static string ToStoredString(ReadOnlyMemory<byte> utf8) => Encoding.UTF8.GetString(Sanitize(utf8).Span);
}
