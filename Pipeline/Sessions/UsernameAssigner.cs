using System.Globalization;
using System.Text;
using Chat.Pipeline.Codecs;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// Gives a session its display name: the <c>name</c> query parameter when it has 1..32 characters after trimming and
/// no control characters, else <c>User</c> + a number unique within this server process. Stored HTML-escaped.
/// </summary>
internal sealed class UsernameAssigner
{
    public const int MaxNameChars = 32;

    // Numbering starts at a random point of a wide range, not at 1: a restarted server (or another node) would
    // otherwise hand out User1 again, and history would show two different people as User1.
    private long _next = Random.Shared.NextInt64(100_000, 10_000_000) * 100;

    public void Assign(Session session, ReadOnlySpan<byte> query)
    {
        var name = FromQuery(query) ?? "User" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        session.Username = name;
        var utf8 = Encoding.UTF8.GetBytes(name);
        var escaped = new byte[HtmlEscaper.MaxEscapedLength(utf8.Length)];
        HtmlEscaper.Escape(utf8, escaped, out _, out var written);
        session.UsernameEscaped = escaped.AsSpan(0, written).ToArray();
    }

    private static string? FromQuery(ReadOnlySpan<byte> query)
    {
        // 32 characters of up to 4 UTF-8 bytes each, plus room for whitespace that trimming removes.
        Span<byte> decoded = stackalloc byte[512];
        if (!QueryString.TryGet(query, "name"u8, decoded, out var written)) return null;
        if (System.Text.Unicode.Utf8.IsValid(decoded[..written]) is false) return null;
        var name = Encoding.UTF8.GetString(decoded[..written]).Trim();
        var runes = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (Rune.IsControl(rune)) return null;
            runes++;
        }
        return runes is >= 1 and <= MaxNameChars ? name : null;
    }
}
