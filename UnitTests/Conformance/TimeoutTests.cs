using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// Timers and the Origin allow-list, on servers configured with a 1 s head deadline, a 1 s ping interval and a 3 s
/// idle timeout. Assertions wait on events (a frame, FIN) with generous deadlines, never on durations.
/// </summary>
[Collection(TimeoutCollection.Name)]
public sealed class TimeoutTests(TimeoutServers servers)
{
    private const string Origin = "Origin: " + TimeoutServers.AllowedOrigin + "\r\n";

    [Fact]
    public Task Connection_that_sends_nothing_is_closed_after_the_head_deadline() => servers.RunRawAsync(async client =>
    {
        var response = await client.ReadResponseAsync();
        Assert.Equal("HTTP/1.1 408 Request Timeout", response.StatusLine);
        response.AssertWellFormed();
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Connection_with_a_partial_head_is_closed_after_the_head_deadline() => servers.RunRawAsync(async client =>
    {
        await client.SendAsync("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(408, response.Status);
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Keep_alive_connection_idle_after_an_answer_is_closed_after_the_head_deadline() => servers.RunRawAsync(async client =>
    {
        Assert.Equal(200, (await client.RequestAsync(RawClient.Get("/healthz"))).Status);
        Assert.Equal(408, (await client.ReadResponseAsync()).Status);
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Silent_websocket_peer_is_pinged() => servers.RunWebSocketAsync(async client =>
    {
        var frame = await client.ReadFrameAsync();
        Assert.Equal(Opcode.Ping, frame.Opcode);
        Assert.True(frame.Fin);
    }, extraHeaders: Origin);

    [Fact]
    public Task Peer_that_never_answers_is_closed_with_1001_after_the_idle_timeout() => servers.RunWebSocketAsync(async client =>
    {
        // One ping per silence (the sweeper pings again only after new activity), then the close.
        var frame = await client.ReadFrameAsync();
        Assert.Equal(Opcode.Ping, frame.Opcode);
        await client.ExpectCloseAsync(1001);
    }, extraHeaders: Origin);

    [Fact]
    public Task Peer_answering_pings_stays_open_past_the_idle_timeout() => servers.RunWebSocketAsync(async client =>
    {
        // Three pings answered span more than the 3 s idle timeout (each comes a ping interval after the last pong).
        for (var i = 0; i < 3; i++)
        {
            var frame = await client.ReadFrameAsync();
            Assert.True(frame.Opcode == Opcode.Ping, $"expected a ping, got {frame}");
            await client.SendFrameAsync(Opcode.Pong, frame.Payload);
        }
        await client.SendChatAsync("still alive");
        await client.ExpectChatAsync("still alive");
    }, extraHeaders: Origin);

    [Theory]
    [InlineData("http://allowed.example")]
    [InlineData("HTTP://ALLOWED.EXAMPLE")]
    [InlineData("http://other.example")]
    public Task Allowed_origin_gets_101(string origin) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.UpgradeRequest(extraHeaders: $"Origin: {origin}\r\n"));
        Assert.Equal(101, response.Status);
    });

    [Theory]
    [InlineData("Origin: http://evil.example\r\n")]
    [InlineData("Origin: http://allowed.example.evil\r\n")]
    [InlineData("Origin: null\r\n")]
    [InlineData("")]
    public Task Disallowed_or_missing_origin_gets_403(string origin) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.UpgradeRequest(extraHeaders: origin));
        Assert.Equal("HTTP/1.1 403 Forbidden", response.StatusLine);
        response.AssertWellFormed();
        await client.AssertClosedByServerAsync();
    });
}
