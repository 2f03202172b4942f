using System.Text;

namespace Chat.Benchmarks;

/// <summary>Chat-like text repeated to a size, cut at a character boundary so it stays valid UTF-8.</summary>
internal static class SampleText
{
    public const string Ascii = "Hello everyone, the build is green again and the release goes out tonight. ";

    public const string Mixed = "Grüße aus Köln! Привет, мир. こんにちは世界 🎉🚀 naïve café, ½ € ";

    public const string WithSpecials = "if (a < b && c > d) say \"hi\" to Bob's <b>friends</b> ";

    /// <summary>UTF-8 of <paramref name="pattern"/> repeated to at most <paramref name="size"/> bytes.</summary>
    public static byte[] Utf8(string pattern, int size)
    {
        var builder = new StringBuilder();
        while (Encoding.UTF8.GetByteCount(builder.ToString()) < size) builder.Append(pattern);
        var bytes = Encoding.UTF8.GetBytes(builder.ToString());
        var cut = size;
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) cut--;
        return bytes[..cut];
    }
}
