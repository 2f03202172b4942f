using System.Text;
using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Pipeline.Codecs;

/// <summary>The one <c>since</c> parser of the handshake and /chat-history: absent, or a non-negative integer.</summary>
public sealed class SinceQueryTests
{
    [Theory]
    [InlineData("", -1)]
    [InlineData("room=lobby", -1)]
    [InlineData("since=0", 0)]
    [InlineData("room=lobby&since=42", 42)]
    [InlineData("since=%34%32", 42)]
    [InlineData("since=9223372036854775807", long.MaxValue)]
    public void An_absent_or_non_negative_since_is_accepted(string query, long expected)
    {
        Assert.True(SinceQuery.TryGet(Encoding.ASCII.GetBytes(query), out var since));
        Assert.Equal(expected, since);
    }

    [Theory]
    [InlineData("since")]
    [InlineData("since=")]
    [InlineData("since=-1")]
    [InlineData("since=abc")]
    [InlineData("since=1.5")]
    [InlineData("since=9223372036854775808")]
    [InlineData("since=%zz")]
    public void A_since_that_is_not_a_non_negative_integer_is_refused(string query)
    {
        Assert.False(SinceQuery.TryGet(Encoding.ASCII.GetBytes(query), out var since));
        Assert.Equal(-1, since);
    }
}
