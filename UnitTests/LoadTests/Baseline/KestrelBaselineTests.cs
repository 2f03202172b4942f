using System.Net;
using System.Text.Json;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;

namespace Chat.UnitTests.LoadTests.Baseline;

/// <summary>
/// The Kestrel baseline keeps the chat contract the load tests rely on, run as a process the way the load runner
/// starts it, once per store by the derived classes (each test its own process and store).
/// </summary>
public abstract class KestrelBaselineTests
{
    /// <summary>Extra CHAT_* settings choosing the store: none for memory, CHAT_POSTGRES for a fresh database.</summary>
    private protected abstract Task<Dictionary<string, string>> NewStoreSettingsAsync();

    private protected async Task<ServerProcess> StartAsync() => await BaselineProcess.StartAsync(await NewStoreSettingsAsync());

    [StoreFact]
    public async Task Two_clients_receive_the_same_message_with_the_same_id()
    {
        await using var server = await StartAsync();
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

    [StoreFact]
    public async Task Comment_and_username_are_html_escaped_like_our_server_does()
    {
        await using var server = await StartAsync();
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=" + Uri.EscapeDataString("<b>\"eve\"</b>")));

        await client.SendChatAsync("<img src=x onerror=alert(1)> & 'quotes' café 😀");

        var frame = ChatFrame.From(await client.ReceiveAsync());
        Assert.Equal("&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quotes&#39; café 😀", frame.Comment);
        Assert.Equal("&lt;b&gt;&quot;eve&quot;&lt;/b&gt;", frame.Username);
    }

    [StoreFact]
    public async Task A_missing_or_overlong_name_gets_a_user_number()
    {
        await using var server = await StartAsync();
        await using var anonymous = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        await using var verbose = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=" + new string('n', 33)));

        await anonymous.SendChatAsync("one");
        await verbose.SendChatAsync("two");

        var frames = await anonymous.ReceiveChatsAsync(2);
        Assert.All(frames, f => Assert.Matches(@"^User\d+$", f.Username));
        Assert.NotEqual(frames[0].Username, frames[1].Username);
    }

    [StoreFact]
    public async Task Connecting_with_since_while_others_chat_replays_then_goes_live_without_gap_or_duplicate()
    {
        await using var server = await StartAsync();
        await using var writer = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=writer"));
        for (var i = 0; i < 5; i++) await writer.SendChatAsync($"early {i}");
        var early = await writer.ReceiveChatsAsync(5);
        var since = early[1].Id;

        // The reader joins while the writer is still sending: some messages come from the store, some live.
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++) await writer.SendChatAsync($"late {i}");
        });
        await using var reader = await RawClient.OpenWebSocketAsync(server.WebSocketUri($"name=reader&since={since}"));
        await sending;
        var late = await writer.ReceiveChatsAsync(20);

        var expected = early.Skip(2).Concat(late).ToList();
        var received = await reader.ReceiveChatsAsync(expected.Count);
        Assert.Equal(expected, received);
        Assert.True(await reader.IsQuietAsync(TimeSpan.FromMilliseconds(300)), "nothing after the last message");
    }

    [StoreFact]
    public async Task Without_since_a_client_receives_live_messages_only()
    {
        await using var server = await StartAsync();
        await using var writer = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        await writer.SendChatAsync("before");
        await writer.ReceiveAsync();

        await using var reader = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        // The baseline joins its room just after AcceptWebSocketAsync has sent the 101, as idiomatic code does: until
        // then a message does not reach the new client (ours joins at the 101, see MultiNodeTests).
        await WaitForOpenConnectionsAsync(server, 2);
        await writer.SendChatAsync("after");

        Assert.Equal("after", ChatFrame.From(await reader.ReceiveAsync()).Comment);
    }

    private static async Task WaitForOpenConnectionsAsync(ServerProcess server, int count)
    {
        using var http = new HttpClient { BaseAddress = server.HttpUri, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var metrics = await http.GetStringAsync("metrics");
            if (metrics.Split('\n').Any(line => line == $"chat_connections_open {count}")) return;
            await Task.Delay(20);
        }

        Assert.Fail($"the baseline never reported {count} open connections");
    }

    [StoreFact]
    public async Task Chat_history_returns_the_latest_oldest_first_and_with_since_the_later_ones()
    {
        await using var server = await StartAsync();
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=historian"));
        for (var i = 0; i < 6; i++) await client.SendChatAsync($"h{i}");
        var sent = await client.ReceiveChatsAsync(6);
        using var http = new HttpClient { BaseAddress = server.HttpUri, Timeout = TimeSpan.FromSeconds(10) };

        var latest = await HistoryAsync(http, "chat-history?limit=3");
        var after = await HistoryAsync(http, $"chat-history?since={sent[3].Id}");
        var all = await HistoryAsync(http, "chat-history");

        Assert.Equal(sent.Skip(3), latest);
        Assert.Equal(sent.Skip(4), after);
        Assert.Equal(sent, all);
        var response = await http.GetAsync("chat-history?limit=oops");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [StoreFact]
    public async Task Invalid_messages_get_an_error_frame_and_the_connection_stays_open()
    {
        await using var server = await StartAsync();
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        string[] invalid =
        [
            "not json",
            "[1, 2]",
            """{"comment": "no type"}""",
            """{"messageType": "shout", "comment": "x"}""",
            """{"messageType": "chatMessage"}""",
            """{"messageType": "chatMessage", "comment": 7}""",
            """{"messageType": "chatMessage", "comment": ""}""",
            JsonSerializer.Serialize(new { messageType = "chatMessage", comment = new string('x', 4097) }),
        ];

        foreach (var text in invalid)
        {
            await client.SendTextAsync(text);
            var answer = await client.ReceiveAsync();
            Assert.Equal("error", answer.GetProperty("messageType").GetString());
            Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("error").GetString()), $"a reason for {text}");
        }

        await client.SendChatAsync("still here");
        Assert.Equal("still here", ChatFrame.From(await client.ReceiveAsync()).Comment);
    }

    [StoreFact]
    public async Task Healthz_answers_ok_and_metrics_count_connections_and_messages()
    {
        await using var server = await StartAsync();
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        await client.SendChatAsync("counted");
        await client.ReceiveAsync();
        using var http = new HttpClient { BaseAddress = server.HttpUri, Timeout = TimeSpan.FromSeconds(10) };

        var health = await http.GetAsync("healthz");
        var metrics = await http.GetStringAsync("metrics");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", await health.Content.ReadAsStringAsync());
        Assert.Contains("\nchat_connections_open 1\n", metrics);
        Assert.Contains("\nchat_messages_received_total 1\n", metrics);
        Assert.Contains("\nchat_frames_delivered_total 1\n", metrics);
    }

    private static async Task<List<ChatFrame>> HistoryAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.NotNull(response.Content.Headers.ContentLength);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.EnumerateArray().Select(ChatFrame.From).ToList();
    }
}
