using System.Text;

namespace Chat.UnitTests.Infrastructure;

/// <summary>One HTTP response as read off the wire: status line, headers in order, the body Content-Length announced.</summary>
internal sealed record RawResponse(string StatusLine, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body)
{
    public int Status => int.Parse(StatusLine.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The only value of a header (fails on zero or several), compared case-insensitively by name.</summary>
    public string Header(string name) => Assert.Single(Values(name));

    public IEnumerable<string> Values(string name) =>
        Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public bool Has(string name) => Values(name).Any();

    /// <summary>The rules every answer follows: nosniff, and a Content-Length that matches the body (except 101).</summary>
    public void AssertWellFormed(bool headRequest = false)
    {
        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        if (Status == 101) return;
        var length = int.Parse(Header("Content-Length"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(headRequest ? 0 : length, Body.Length);
    }
}
