using System.Text;

namespace Chat.UnitTests.Faults;

/// <summary>PROTOCOL.md's escaping, written out independently of the server's escaper: &amp; &lt; &gt; &quot; &#39;.</summary>
internal static class ExpectedHtml
{
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }
}
