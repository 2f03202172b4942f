namespace Chat.UnitTests.Conformance;

/// <summary>The opening handshake (RFC 6455 section 4.2): 101 with the right accept, or the exact refusal.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class HandshakeTests(ConformanceServers servers)
{
    private const string Host = "Host: 127.0.0.1\r\n";
    private const string Key = "Sec-WebSocket-Key: " + RawClient.SampleKey + "\r\n";
    private const string Version = "Sec-WebSocket-Version: 13\r\n";

    [Fact]
    public Task Valid_upgrade_gets_101_with_the_rfc_accept_value() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.UpgradeRequest());
        Assert.Equal("HTTP/1.1 101 Switching Protocols", response.StatusLine);
        Assert.Equal(RawClient.SampleAccept, response.Header("Sec-WebSocket-Accept"));
        Assert.Equal("websocket", response.Header("Upgrade"), ignoreCase: true);
        Assert.Equal("upgrade", response.Header("Connection"), ignoreCase: true);
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.False(response.Has("Content-Length"));
    });

    [Theory]
    [InlineData("Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n")]
    [InlineData("Upgrade: WebSocket\r\nConnection: UPGRADE\r\n")]
    [InlineData("Upgrade: websocket\r\nConnection: keep-alive\r\nConnection: upgrade\r\n")]
    [InlineData("Upgrade: h2c, websocket\r\nConnection: Upgrade\r\n")]
    [InlineData("upgrade:websocket\r\nconnection:\tUpgrade \r\n")]
    public Task Upgrade_and_connection_tokens_are_case_insensitive_list_members(string headers) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync($"GET /websocket HTTP/1.1\r\n{Host}{headers}{Key}{Version}\r\n");
        Assert.Equal(101, response.Status);
        Assert.Equal(RawClient.SampleAccept, response.Header("Sec-WebSocket-Accept"));
    });

    [Theory]
    [InlineData("Sec-WebSocket-Version: 8\r\n")]
    [InlineData("Sec-WebSocket-Version: 12\r\n")]
    [InlineData("Sec-WebSocket-Version: 14\r\n")]
    [InlineData("Sec-WebSocket-Version: 13x\r\n")]
    [InlineData("")]
    public Task Wrong_or_missing_version_gets_426_with_version_13(string version) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync($"GET /websocket HTTP/1.1\r\n{Host}Upgrade: websocket\r\nConnection: Upgrade\r\n{Key}{version}\r\n");
        Assert.Equal("HTTP/1.1 426 Upgrade Required", response.StatusLine);
        Assert.Equal("13", response.Header("Sec-WebSocket-Version"));
        response.AssertWellFormed();
        await client.AssertClosedByServerAsync();
    });

    [Theory]
    [InlineData("")]
    [InlineData("Sec-WebSocket-Key: abc\r\n")]
    [InlineData("Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n")]
    [InlineData("Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA\r\n")]
    [InlineData("Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==\r\n")]
    [InlineData("Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n")]
    public Task Missing_or_malformed_key_gets_400(string key) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync($"GET /websocket HTTP/1.1\r\n{Host}Upgrade: websocket\r\nConnection: Upgrade\r\n{key}{Version}\r\n");
        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        response.AssertWellFormed();
        await client.AssertClosedByServerAsync();
    });

    [Theory]
    [InlineData("Connection: Upgrade\r\n")]
    [InlineData("Upgrade: websocket\r\n")]
    [InlineData("Upgrade: h2c\r\nConnection: Upgrade\r\n")]
    [InlineData("Upgrade: websocket\r\nConnection: keep-alive\r\n")]
    [InlineData("Upgrade: websockets\r\nConnection: upgraded\r\n")]
    public Task Missing_upgrade_tokens_get_400(string headers) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync($"GET /websocket HTTP/1.1\r\n{Host}{headers}{Key}{Version}\r\n");
        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        response.AssertWellFormed();
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Upgrade_pipelined_after_plain_requests_is_answered_after_them() => servers.RunRawAsync(async client =>
    {
        await client.SendAsync(RawClient.Get("/chat-history?limit=1000") + RawClient.Get("/healthz") + RawClient.UpgradeRequest());
        var history = await client.ReadResponseAsync();
        Assert.Equal(200, history.Status);
        Assert.Equal("application/json; charset=utf-8", history.Header("Content-Type"));
        Assert.Equal("ok", (await client.ReadResponseAsync()).BodyText.Trim());
        var upgrade = await client.ReadResponseAsync();
        Assert.Equal("HTTP/1.1 101 Switching Protocols", upgrade.StatusLine);
        await client.SendFrameAsync(Chat.Pipeline.Codecs.Opcode.Ping, "after pipelining"u8);
        await client.ExpectPongAsync("after pipelining"u8);
    });

    [Fact]
    public Task Keep_alive_connection_may_upgrade_after_plain_requests() => servers.RunRawAsync(async client =>
    {
        Assert.Equal(200, (await client.RequestAsync(RawClient.Get("/healthz"))).Status);
        Assert.Equal(404, (await client.RequestAsync(RawClient.Get("/nope"))).Status);
        var upgrade = await client.RequestAsync(RawClient.UpgradeRequest());
        Assert.Equal(101, upgrade.Status);
        await client.SendFrameAsync(Chat.Pipeline.Codecs.Opcode.Ping, "upgraded"u8);
        await client.ExpectPongAsync("upgraded"u8);
    });

    [Fact]
    public Task Http_request_after_the_upgrade_is_read_as_a_frame_and_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendAsync(RawClient.Get("/healthz"));
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Upgrade_over_http_1_0_gets_400() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync($"GET /websocket HTTP/1.0\r\n{Host}Upgrade: websocket\r\nConnection: Upgrade\r\n{Key}{Version}\r\n");
        Assert.Equal(400, response.Status);
        response.AssertWellFormed();
    });

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public Task Other_method_on_the_websocket_path_gets_405_with_allow(string method) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync($"{method} /websocket HTTP/1.1\r\n{Host}Upgrade: websocket\r\nConnection: Upgrade\r\n{Key}{Version}\r\n");
        Assert.Equal("HTTP/1.1 405 Method Not Allowed", response.StatusLine);
        Assert.Contains("GET", response.Header("Allow"));
        response.AssertWellFormed();
    });

    [Theory]
    [InlineData("since=-1")]
    [InlineData("since=abc")]
    [InlineData("since=")]
    public Task Bad_since_on_the_upgrade_gets_400(string query) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.UpgradeRequest(query));
        Assert.Equal(400, response.Status);
        response.AssertWellFormed();
    });

    [Fact]
    public Task Plain_get_of_the_websocket_path_gets_400() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get("/websocket"));
        Assert.Equal(400, response.Status);
        response.AssertWellFormed();
    });
}
