using System.Text.RegularExpressions;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// HEAD gets the head only, for every route and every status, error answers included (RFC 9110 section 9.3.2): a
/// body after it would be read as the next response on a keep-alive connection.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed partial class HeadTests(ConformanceServers servers)
{
    [Theory]
    [InlineData("/", 200)]
    [InlineData("/chat.css", 200)]
    [InlineData("/chat-history?limit=5", 200)]
    [InlineData("/healthz", 200)]
    [InlineData("/metrics", 200)]
    [InlineData("/nope", 404)]
    [InlineData("/chat-history?since=x", 400)]
    [InlineData("/chat-history?limit=0", 400)]
    public Task Head_answer_has_no_body_and_the_next_answer_is_in_its_place(string target, int status) => servers.RunRawAsync(async client =>
    {
        await client.SendAsync($"HEAD {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + RawClient.Get("/healthz"));
        var head = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(status, head.Status);
        head.AssertWellFormed(headRequest: true);
        Assert.True(int.Parse(head.Header("Content-Length"), System.Globalization.CultureInfo.InvariantCulture) > 0, "Content-Length names the body GET would get");
        var next = await client.ReadResponseAsync();
        Assert.Equal(200, next.Status);
        Assert.Equal("ok\n", next.BodyText);
    });

    [Theory]
    [InlineData("HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n", 400)]
    [InlineData("HEAD /websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 405)]
    [InlineData("HEAD / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505)]
    public Task Head_that_is_refused_gets_the_error_head_only_and_a_close(string request, int status) => servers.RunRawAsync(async client =>
    {
        await client.SendAsync(request);
        var head = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(status, head.Status);
        Assert.Equal("close", head.Header("Connection"));
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Head_with_a_head_over_the_limit_gets_431_head_only() => servers.RunRawAsync(async client =>
    {
        await client.SendAsync($"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {new string('a', 20_000)}\r\n\r\n");
        var head = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(431, head.Status);
        await client.AssertClosedByServerAsync();
    });

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    public Task The_page_carries_its_policy_as_headers(string target) => servers.RunRawAsync(async client =>
    {
        var page = await client.RequestAsync(RawClient.Get(target));
        var meta = MetaPolicy().Match(page.BodyText);
        Assert.True(meta.Success, "the page keeps its meta policy");
        Assert.Equal(meta.Groups[1].Value + "; frame-ancestors 'none'", page.Header("Content-Security-Policy"));
        Assert.Equal("no-referrer", page.Header("Referrer-Policy"));
        Assert.Equal("DENY", page.Header("X-Frame-Options"));
        Assert.Equal("no-cache", page.Header("Cache-Control"));
    });

    [Theory]
    [InlineData("/chat.js")]
    [InlineData("/chat-history")]
    [InlineData("/healthz")]
    [InlineData("/nope")]
    public Task Other_answers_carry_no_page_policy(string target) => servers.RunRawAsync(async client =>
    {
        var answer = await client.RequestAsync(RawClient.Get(target));
        Assert.False(answer.Has("Content-Security-Policy"));
        Assert.False(answer.Has("X-Frame-Options"));
        Assert.Equal("nosniff", answer.Header("X-Content-Type-Options"));
    });

    [GeneratedRegex("""http-equiv="Content-Security-Policy"\s+content="([^"]+)""")]
    private static partial Regex MetaPolicy();
}
