using System.Text;
using System.Text.Json;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary><c>GET /chat-history</c>: latest N (default 100, cap 1000) or those after <c>since</c>, oldest first.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class HistoryTests(ConformanceServers servers)
{
    [Fact]
    public Task History_holds_the_same_objects_as_the_broadcast_frames() => servers.RunAsync(async server =>
    {
        await using var socket = await RawClient.OpenWebSocketAsync(server.EndPoint, "name=historian");
        await socket.SendChatAsync("in history <b>");
        var frame = await socket.ExpectChatAsync("in history &lt;b&gt;");
        var history = await HistoryAsync(server, $"since={frame.GetProperty("id").GetInt64() - 1}");
        var stored = Assert.Single(history);
        foreach (var property in new[] { "messageType", "id", "room", "username", "comment", "timestamp" })
        {
            Assert.Equal(frame.GetProperty(property).ToString(), stored.GetProperty(property).ToString());
        }
    });

    [Fact]
    public Task Without_limit_the_latest_100_come_oldest_first() => servers.RunAsync(async server =>
    {
        var ids = await SendAsync(server, 101, "default");
        var history = await HistoryAsync(server, "");
        Assert.Equal(ids.TakeLast(100), history.Select(m => m.GetProperty("id").GetInt64()));
    });

    [Fact]
    public Task Limit_over_1000_is_capped_at_1000() => servers.RunAsync(async server =>
    {
        var ids = await SendAsync(server, 1001, "cap");
        var history = await HistoryAsync(server, "limit=5000");
        Assert.Equal(ids.TakeLast(1000), history.Select(m => m.GetProperty("id").GetInt64()));
    });

    [Fact]
    public Task Limit_gives_the_latest_n_oldest_first() => servers.RunAsync(async server =>
    {
        var ids = await SendAsync(server, 5, "limited");
        var history = await HistoryAsync(server, "limit=3");
        Assert.Equal(ids.TakeLast(3), history.Select(m => m.GetProperty("id").GetInt64()));
    });

    [Fact]
    public Task Since_gives_the_messages_after_that_id_oldest_first() => servers.RunAsync(async server =>
    {
        var ids = await SendAsync(server, 4, "since");
        var history = await HistoryAsync(server, $"since={ids[0]}");
        Assert.Equal(ids.Skip(1), history.Select(m => m.GetProperty("id").GetInt64()));
        Assert.Empty(await HistoryAsync(server, $"since={ids[^1]}"));
    });

    [Fact]
    public Task Since_and_limit_together_give_the_first_n_after_since() => servers.RunAsync(async server =>
    {
        var ids = await SendAsync(server, 5, "since-limit");
        var history = await HistoryAsync(server, $"since={ids[0]}&limit=2");
        Assert.Equal(ids.Skip(1).Take(2), history.Select(m => m.GetProperty("id").GetInt64()));
    });

    [Theory]
    [InlineData("since=-1")]
    [InlineData("since=abc")]
    [InlineData("since=")]
    [InlineData("since=1.5")]
    [InlineData("limit=0")]
    [InlineData("limit=-3")]
    [InlineData("limit=abc")]
    [InlineData("limit=")]
    [InlineData("limit=99999999999999999999")]
    public Task Bad_since_or_limit_gets_400(string query) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get("/chat-history?" + query));
        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        response.AssertWellFormed();
    });

    private static async Task<JsonElement[]> HistoryAsync(TestServer server, string query)
    {
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        var response = await client.RequestAsync(RawClient.Get("/chat-history" + (query.Length > 0 ? "?" + query : "")));
        Assert.Equal(200, response.Status);
        Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
        response.AssertWellFormed();
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>Sends <paramref name="count"/> messages in one write and returns their ids as broadcast.</summary>
    private static async Task<long[]> SendAsync(TestServer server, int count, string tag)
    {
        await using var socket = await RawClient.OpenWebSocketAsync(server.EndPoint);
        var frames = Enumerable.Range(0, count).Select(i =>
            ClientFrame.Build(Opcode.Text, Encoding.UTF8.GetBytes(RawClient.Chat($"{tag} {i}")), mask: RawClient.RandomMask()));
        await socket.SendAsync(ClientFrame.Concat([.. frames]));
        var ids = new long[count];
        for (var i = 0; i < count; i++) ids[i] = (await socket.ExpectChatAsync($"{tag} {i}")).GetProperty("id").GetInt64();
        return ids;
    }
}
