using System.Net;
using System.Text.Json;

namespace Chat.UnitTests.EndToEnd;

/// <summary>
/// Our server on the benchmark-only memory store (CHAT_STORE=memory): the chat contract holds while it runs, and
/// nothing is written to disk or kept past a restart.
/// </summary>
public sealed class MemoryStoreChatEndToEndTests
{
    private static readonly Dictionary<string, string> MemoryStore = new() { ["CHAT_STORE"] = "memory" };

    [Fact]
    public async Task Clients_chat_with_dense_ids_and_since_replays_without_duplicates_on_the_memory_store()
    {
        await using var server = await TestServer.StartAsync(settings: MemoryStore);
        await using var alice = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=alice"));
        await using var bob = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=bob"));

        for (var i = 0; i < 3; i++) await alice.SendChatAsync($"m{i} <&>");
        var atAlice = await alice.ReceiveChatsAsync(3);
        var atBob = await bob.ReceiveChatsAsync(3);
        await using var late = await RawClient.OpenWebSocketAsync(server.WebSocketUri($"since={atAlice[0].Id}"));
        var replayed = await late.ReceiveChatsAsync(2);
        await bob.SendChatAsync("live");
        var live = ChatFrame.From(await late.ReceiveAsync());

        Assert.Equal(atAlice, atBob);
        Assert.Equal(new long[] { 1, 2, 3 }, atAlice.Select(f => f.Id));
        Assert.Equal("m0 &lt;&amp;&gt;", atAlice[0].Comment);
        Assert.Equal(atAlice.Skip(1), replayed);
        Assert.Equal((4L, "live"), (live.Id, live.Comment));
        Assert.True(await late.IsQuietAsync(TimeSpan.FromMilliseconds(300)), "nothing is delivered twice");
    }

    [Fact]
    public async Task The_memory_store_writes_nothing_to_disk_and_forgets_everything_on_restart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("chat-memory-").FullName;
        await using (var server = await TestServer.StartAsync(dataDirectory: dataDirectory, settings: MemoryStore))
        {
            Assert.StartsWith("memory", server.Host.StoreDescription);
            await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
            await client.SendChatAsync("forgotten");
            await client.ReceiveAsync();
            await client.CloseAsync();
        }

        await using var again = await TestServer.StartAsync(dataDirectory: dataDirectory, settings: MemoryStore);
        using var http = new HttpClient { BaseAddress = again.HttpUri, Timeout = TimeSpan.FromSeconds(10) };
        var history = JsonDocument.Parse(await http.GetStringAsync("/chat-history")).RootElement;
        var health = await http.GetAsync("/healthz");

        Assert.Empty(history.EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataDirectory));
    }
}
