using System.Globalization;
using System.Text;
using Chat.Pipeline.Codecs;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// Gives a connection its display name from the <c>name</c> query parameter, so that no name can pass for another:
/// NFC-normalised (one spelling per visible name), bidi controls and zero-width characters removed, then trimmed;
/// kept when 1..32 characters without control characters remain and it is not of the form <c>User</c> + digits,
/// which is the server's own pattern. Otherwise <c>User</c> + a number unique within this server process.
/// Stored HTML-escaped.
/// </summary>
internal sealed class UsernameAssigner
{
    public const int MaxNameChars = 32;

    // Numbering starts at a random point of a wide range, not at 1: a restarted server (or another node) would
    // otherwise hand out User1 again, and history would show two different people as User1.
    private long _next = Random.Shared.NextInt64(100_000, 10_000_000) * 100;

    /// <returns>The name, and the name HTML-escaped in UTF-8.</returns>
    public (string Name, byte[] Escaped) Assign(ReadOnlySpan<byte> query)
    {
        var name = FromQuery(query) ?? "User" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        var utf8 = Encoding.UTF8.GetBytes(name);
        var escaped = new byte[HtmlEscaper.MaxEscapedLength(utf8.Length)];
        HtmlEscaper.Escape(utf8, escaped, out _, out var written);
        return (name, escaped.AsSpan(0, written).ToArray());
    }

    private static string? FromQuery(ReadOnlySpan<byte> query)
    {
        // 32 characters of up to 4 UTF-8 bytes each, plus room for what normalising, stripping and trimming remove.
        Span<byte> decoded = stackalloc byte[512];
        if (!QueryString.TryGet(query, "name"u8, decoded, out var written)) return null;
        if (System.Text.Unicode.Utf8.IsValid(decoded[..written]) is false) return null;
        return Clean(Encoding.UTF8.GetString(decoded[..written]));
    }

    /// <summary>The name as it will be shown, or null when it must be replaced by an assigned one.</summary>
    internal static string? Clean(string raw)
    {
        if (!UnicodeNfc.TryNormalize(raw, out var normalized)) return null;
        var kept = new StringBuilder(normalized.Length);
        foreach (var c in normalized)
        {
            if (!IsInvisible(c)) kept.Append(c);
        }
        var name = kept.ToString().Trim();
        var runes = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (Rune.IsControl(rune)) return null;
            runes++;
        }
        if (runes is < 1 or > MaxNameChars || LooksAssigned(name)) return null;
        return name;
    }

    /// <summary>
    /// Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069) and marks (U+200E, U+200F, U+061C), which
    /// reorder what follows them ("U+202E gnp.exe"), and zero-width characters (U+200B-200D, U+2060, U+FEFF), which
    /// make two names look the same.
    /// </summary>
    private static bool IsInvisible(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')
        or '\u200E' or '\u200F' or '\u061C' or (>= '\u200B' and <= '\u200D') or '\u2060' or '\uFEFF';

    /// <summary><c>User</c> + ASCII digits, in any letter case: the names the server assigns.</summary>
    private static bool LooksAssigned(string name) =>
        name.Length > 4 && name.StartsWith("User", StringComparison.OrdinalIgnoreCase) && name.AsSpan(4).IndexOfAnyExceptInRange('0', '9') < 0;
}
