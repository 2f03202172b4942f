using System.Text;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>
/// The five replacements PROTOCOL.md asks for. Not <c>WebUtility.HtmlEncode</c>: it also turns U+00A0..U+00FF and
/// surrogate pairs into numeric entities, which our server does not, and the two must store the same text.
/// </summary>
internal static class HtmlText
{
    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '"': builder.Append("&quot;"); break;
                case '\'': builder.Append("&#39;"); break;
                default: builder.Append(c); break;
            }
        }

        return builder.ToString();
    }
}
