using System.Text;
using System.Text.Json;

namespace Chat.UnitTests.Conformance;

/// <summary>Plain HTTP/1.1 on the same port: routes, errors, keep-alive and pipelining, the headers every answer has.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class HttpTests(ConformanceServers servers)
{
    [Fact]
    public Task Chat_page_is_html_with_nosniff_and_exact_content_length() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get("/"));
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal("text/html; charset=utf-8", response.Header("Content-Type"));
        response.AssertWellFormed();
        Assert.Contains("<html", response.BodyText, StringComparison.OrdinalIgnoreCase);
    });

    [Theory]
    [InlineData("/index.html", "text/html; charset=utf-8")]
    [InlineData("/chat.js", "text/javascript; charset=utf-8")]
    [InlineData("/chat.css", "text/css; charset=utf-8")]
    public Task Page_asset_is_served_with_its_content_type(string path, string contentType) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get(path));
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal(contentType, response.Header("Content-Type"));
        Assert.NotEmpty(response.Body);
        response.AssertWellFormed();
    });

    [Theory]
    [InlineData("/../ChatServer.dll")]
    [InlineData("/%2e%2e/ChatServer.dll")]
    [InlineData("/wwwroot/index.html")]
    public Task Path_outside_the_page_files_gets_404(string path) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get(path));
        Assert.Equal(404, response.Status);
        response.AssertWellFormed();
    });

    [Fact]
    public Task Healthz_answers_200_ok() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get("/healthz"));
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal("ok", response.BodyText.Trim());
        response.AssertWellFormed();
    });

    [Fact]
    public Task Metrics_is_prometheus_text() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get("/metrics"));
        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/plain; version=0.0.4", response.Header("Content-Type"));
        Assert.Contains("chat_connections_open", response.BodyText);
        Assert.Contains("# TYPE ", response.BodyText);
        response.AssertWellFormed();
    });

    [Theory]
    [InlineData("/no-such-thing")]
    [InlineData("/websocket/x")]
    [InlineData("/chat-history/1")]
    [InlineData("/HEALTHZ")]
    public Task Unknown_path_gets_404_and_the_connection_stays_open(string path) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get(path));
        Assert.Equal("HTTP/1.1 404 Not Found", response.StatusLine);
        response.AssertWellFormed();
        Assert.Equal(200, (await client.RequestAsync(RawClient.Get("/healthz"))).Status);
    });

    [Theory]
    [InlineData("POST", "/")]
    [InlineData("POST", "/chat-history")]
    [InlineData("PUT", "/healthz")]
    [InlineData("DELETE", "/metrics")]
    [InlineData("PATCH", "/chat-history")]
    public Task Other_method_on_a_known_path_gets_405_with_allow(string method, string path) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal("HTTP/1.1 405 Method Not Allowed", response.StatusLine);
        Assert.Contains("GET", response.Header("Allow"));
        response.AssertWellFormed();
    });

    [Fact]
    public Task Head_gets_the_headers_of_get_without_a_body() => servers.RunRawAsync(async client =>
    {
        var get = await client.RequestAsync(RawClient.Get("/"));
        var head = await client.RequestAsync("HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", headRequest: true);
        Assert.Equal(200, head.Status);
        Assert.Equal(get.Header("Content-Length"), head.Header("Content-Length"));
        head.AssertWellFormed(headRequest: true);
        Assert.Equal(200, (await client.RequestAsync(RawClient.Get("/healthz"))).Status);
    });

    [Fact]
    public Task Several_requests_on_one_connection_are_answered_in_turn() => servers.RunRawAsync(async client =>
    {
        foreach (var path in new[] { "/healthz", "/nope", "/metrics", "/chat-history", "/" })
        {
            var response = await client.RequestAsync(RawClient.Get(path));
            Assert.Equal(path == "/nope" ? 404 : 200, response.Status);
            Assert.False(response.Has("Connection") && response.Header("Connection") == "close");
            response.AssertWellFormed();
        }
    });

    [Fact]
    public Task Pipelined_requests_in_one_write_are_answered_in_order() => servers.RunRawAsync(async client =>
    {
        await client.SendAsync(RawClient.Get("/nope") + RawClient.Get("/chat-history?limit=1") + RawClient.Get("/healthz") + RawClient.Get("/missing"));
        Assert.Equal(404, (await client.ReadResponseAsync()).Status);
        var history = await client.ReadResponseAsync();
        Assert.Equal(200, history.Status);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(history.Body).RootElement.ValueKind);
        var health = await client.ReadResponseAsync();
        Assert.Equal("ok", health.BodyText.Trim());
        Assert.Equal(404, (await client.ReadResponseAsync()).Status);
    });

    [Fact]
    public Task Request_pipelined_before_a_connection_close_keeps_its_keep_alive_answer() => servers.RunRawAsync(async client =>
    {
        await client.SendAsync(RawClient.Get("/healthz") + RawClient.Get("/chat-history?limit=1") + RawClient.Get("/nope", "Connection: close\r\n"));
        var first = await client.ReadResponseAsync();
        Assert.Equal(200, first.Status);
        Assert.False(first.Has("Connection"), "an answer before the last one must not close the connection");
        var second = await client.ReadResponseAsync();
        Assert.Equal(200, second.Status);
        Assert.False(second.Has("Connection"), "an answer before the last one must not close the connection");
        var last = await client.ReadResponseAsync();
        Assert.Equal(404, last.Status);
        Assert.Equal("close", last.Header("Connection"));
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Connection_close_gets_its_answer_then_tcp_closes() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get("/healthz", "Connection: close\r\n"));
        Assert.Equal(200, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        response.AssertWellFormed();
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Http_1_0_without_keep_alive_is_closed_after_its_answer() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync("GET /healthz HTTP/1.0\r\n\r\n");
        Assert.Equal(200, response.Status);
        response.AssertWellFormed();
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Http_1_0_with_keep_alive_stays_open() => servers.RunRawAsync(async client =>
    {
        Assert.Equal(200, (await client.RequestAsync("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).Status);
        Assert.Equal(200, (await client.RequestAsync("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).Status);
    });

    [Theory]
    [InlineData("GET\r\n\r\n")]
    [InlineData("GET /healthz\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: a\r\n folded: x\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("GET /he\u0001lthz HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: a\u0007b\r\n\r\n")]
    [InlineData("GET /healthz HTTX/1.1\r\nHost: a\r\n\r\n")]
    public Task Malformed_request_gets_400_then_tcp_closes(string request) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(request);
        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        response.AssertWellFormed();
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Unsupported_http_version_gets_505() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync("GET /healthz HTTP/2.0\r\nHost: a\r\n\r\n");
        Assert.Equal("HTTP/1.1 505 HTTP Version Not Supported", response.StatusLine);
        response.AssertWellFormed();
    });

    [Theory]
    [InlineData(16 * 1024 + 1)]
    [InlineData(64 * 1024)]
    public Task Oversized_head_gets_431_then_tcp_closes(int size) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(HeadOfSize(size));
        Assert.Equal("HTTP/1.1 431 Request Header Fields Too Large", response.StatusLine);
        response.AssertWellFormed();
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Head_exactly_at_the_limit_is_answered() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(HeadOfSize(16 * 1024));
        Assert.Equal(200, response.Status);
        response.AssertWellFormed();
    });

    [Fact]
    public Task Too_many_header_lines_get_431() => servers.RunRawAsync(async client =>
    {
        var headers = string.Concat(Enumerable.Range(0, 150).Select(i => $"X-H{i}: v\r\n"));
        var response = await client.RequestAsync(RawClient.Get("/healthz", headers));
        Assert.Equal(431, response.Status);
        response.AssertWellFormed();
    });

    [Fact]
    public Task Request_with_a_body_is_answered_then_the_connection_closes() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync("GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        Assert.Equal(200, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Absolute_form_target_is_routed_by_its_path() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync("GET http://127.0.0.1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(200, response.Status);
        response.AssertWellFormed();
    });

    /// <summary>A GET /healthz head of exactly <paramref name="size"/> bytes, blank line included.</summary>
    private static string HeadOfSize(int size)
    {
        var bare = Encoding.ASCII.GetByteCount(RawClient.Get("/healthz", "X-Filler: \r\n"));
        var request = RawClient.Get("/healthz", "X-Filler: " + new string('a', size - bare) + "\r\n");
        Assert.Equal(size, Encoding.ASCII.GetByteCount(request));
        return request;
    }
}
