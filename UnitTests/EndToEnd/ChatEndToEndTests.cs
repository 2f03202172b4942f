using System.Net;
using System.Text.Json;
using Chat.Reactor;

namespace Chat.UnitTests.EndToEnd;

/// <summary>
/// The whole chat path through real sockets: our reactor, the eight stages and a real store. Run once per store by
/// the derived classes; each test gets a fresh store.
/// </summary>
public abstract class ChatEndToEndTests
{
    /// <summary>A fresh Postgres connection string, or null for the embedded store.</summary>
    private protected abstract Task<string?> NewStoreAsync();

    /// <summary>The reactor backend the suite runs on: what "auto" picks here (epoll on Linux), or the portable one.</summary>
    private protected virtual ReactorBackend Backend => OperatingSystem.IsLinux() ? ReactorBackend.Epoll : ReactorBackend.Sockets;

    private protected async Task<TestServer> StartAsync(string? store, string? dataDirectory = null)
    {
        var server = await TestServer.StartAsync(store, dataDirectory,
            new Dictionary<string, string> { ["CHAT_REACTOR"] = Backend.ToString().ToLowerInvariant() });
        Assert.Equal(Backend, server.Host.Backend);
        return server;
    }

    [Fact]
    public async Task Two_clients_receive_the_same_message_with_the_same_id()
    {
        await using var server = await StartAsync(await NewStoreAsync());
        await using var alice = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=alice"));
        await using var bob = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=bob"));

        await alice.SendChatAsync("hello bob");

        var atAlice = ChatFrame.From(await alice.ReceiveAsync());
        var atBob = ChatFrame.From(await bob.ReceiveAsync());
        Assert.Equal(atAlice, atBob);
        Assert.Equal("alice", atBob.Username);
        Assert.Equal("hello bob", atBob.Comment);
        Assert.True(atBob.Id > 0);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", atBob.Timestamp);
    }

    [Fact]
    public async Task Comment_and_username_are_html_escaped()
    {
        await using var server = await StartAsync(await NewStoreAsync());
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=" + Uri.EscapeDataString("<b>\"eve\"</b>")));

        await client.SendChatAsync("<img src=x onerror=alert(1)> & 'quotes'");

        var frame = ChatFrame.From(await client.ReceiveAsync());
        Assert.Equal("&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quotes&#39;", frame.Comment);
        Assert.Equal("&lt;b&gt;&quot;eve&quot;&lt;/b&gt;", frame.Username);
    }

    [Fact]
    public async Task Ids_increase_in_the_order_every_client_receives_them()
    {
        await using var server = await StartAsync(await NewStoreAsync());
        await using var first = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        await using var second = await RawClient.OpenWebSocketAsync(server.WebSocketUri());

        var sends = Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? first : second).SendChatAsync($"m{i}"));
        await Task.WhenAll(sends);

        var atFirst = await first.ReceiveChatsAsync(50);
        var atSecond = await second.ReceiveChatsAsync(50);
        Assert.Equal(atFirst, atSecond);
        Assert.True(atFirst.Zip(atFirst.Skip(1)).All(p => p.First.Id < p.Second.Id), "ids strictly increase");
        Assert.Equal(50, atFirst.Select(f => f.Comment).Distinct().Count());
    }

    [Fact]
    public async Task Client_reconnecting_with_since_gets_what_it_missed_exactly_once()
    {
        await using var server = await StartAsync(await NewStoreAsync());
        await using var writer = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=writer"));
        var reader = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=reader"));
        await writer.SendChatAsync("before");
        var seen = ChatFrame.From(await reader.ReceiveAsync());
        await writer.ReceiveAsync();
        await reader.DisposeAsync();

        for (var i = 0; i < 3; i++) await writer.SendChatAsync($"missed {i}");
        await writer.ReceiveChatsAsync(3);

        await using var back = await RawClient.OpenWebSocketAsync(server.WebSocketUri($"name=reader&since={seen.Id}"));
        var replayed = await back.ReceiveChatsAsync(3);
        Assert.Equal(["missed 0", "missed 1", "missed 2"], replayed.Select(f => f.Comment));
        await writer.SendChatAsync("live");
        var live = ChatFrame.From(await back.ReceiveAsync());
        Assert.Equal("live", live.Comment);
        Assert.True(await back.IsQuietAsync(TimeSpan.FromMilliseconds(300)), "nothing is delivered twice");
    }

    [Fact]
    public async Task Messages_survive_a_restart_of_the_server()
    {
        var store = await NewStoreAsync();
        var dataDirectory = Directory.CreateTempSubdirectory("chat-restart-").FullName;
        long firstId;
        await using (var server = await StartAsync(store, dataDirectory))
        {
            await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
            await client.SendChatAsync("kept");
            firstId = ChatFrame.From(await client.ReceiveAsync()).Id;
            await client.CloseAsync();
        }

        await using var again = await StartAsync(store, dataDirectory);
        using var http = new HttpClient { BaseAddress = again.HttpUri };
        var history = JsonDocument.Parse(await http.GetStringAsync("/chat-history")).RootElement;
        var stored = Assert.Single(history.EnumerateArray());
        Assert.Equal("kept", stored.GetProperty("comment").GetString());

        await using var replay = await RawClient.OpenWebSocketAsync(again.WebSocketUri($"since={firstId - 1}"));
        Assert.Equal("kept", ChatFrame.From(await replay.ReceiveAsync()).Comment);
        await replay.SendChatAsync("after restart");
        Assert.True(ChatFrame.From(await replay.ReceiveAsync()).Id > firstId);
    }

    [Fact]
    public async Task Chat_history_returns_the_latest_messages_oldest_first()
    {
        await using var server = await StartAsync(await NewStoreAsync());
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        for (var i = 0; i < 5; i++) await client.SendChatAsync($"h{i}");
        var frames = await client.ReceiveChatsAsync(5);
        using var http = new HttpClient { BaseAddress = server.HttpUri };

        var latest = JsonDocument.Parse(await http.GetStringAsync("/chat-history?limit=2")).RootElement;
        Assert.Equal(["h3", "h4"], latest.EnumerateArray().Select(m => m.GetProperty("comment").GetString()));
        var after = JsonDocument.Parse(await http.GetStringAsync($"/chat-history?since={frames[1].Id}")).RootElement;
        Assert.Equal(["h2", "h3", "h4"], after.EnumerateArray().Select(m => m.GetProperty("comment").GetString()));
        Assert.Equal(frames[4], ChatFrame.From(after[2]));
    }

    [Fact]
    public async Task Invalid_message_gets_an_error_frame_and_the_connection_stays_open()
    {
        await using var server = await StartAsync(await NewStoreAsync());
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());

        await client.SendTextAsync("{not json");
        var error = await client.ReceiveAsync();
        Assert.Equal("error", error.GetProperty("messageType").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("error").GetString()));

        await client.SendChatAsync("still here");
        Assert.Equal("still here", ChatFrame.From(await client.ReceiveAsync()).Comment);
    }

    [Fact]
    public async Task Plain_http_routes_answer_as_the_protocol_says()
    {
        await using var server = await StartAsync(await NewStoreAsync());
        using var http = new HttpClient { BaseAddress = server.HttpUri };

        var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/no-such-thing")).StatusCode);
        var post = await http.PostAsync("/chat-history", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Contains("GET", post.Content.Headers.Allow);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("chat_connections_open", metrics);
    }
}
