using System.Text;
using System.Text.Json;
using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>Presence on one node: GET /presence?room= and the presence frames of a presence=1 connection.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class PresenceTests(ConformanceServers servers)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public Task A_watcher_gets_everyone_first_then_joins_and_leaves() => servers.RunAsync(async server =>
    {
        var room = Room();
        await using var early = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=early");
        await WaitForPresenceAsync(server, room, ["early"]);
        await using var watcher = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=watch&presence=1");

        var first = await NextPresenceAsync(watcher);
        Assert.Equal(room, first.GetProperty("room").GetString());
        Assert.Equal(["early", "watch"], Names(first, "joined"));
        Assert.Empty(Names(first, "left"));
        Assert.Equal(2, first.GetProperty("online").GetInt32());

        var joiner = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=j%3Co%3E");
        var joined = await PresenceUntilAsync(watcher, f => Names(f, "joined").Contains("j&lt;o&gt;"));
        Assert.Equal(3, joined.GetProperty("online").GetInt32());
        await joiner.DisposeAsync();
        var left = await PresenceUntilAsync(watcher, f => Names(f, "left").Contains("j&lt;o&gt;"));
        Assert.Equal(2, left.GetProperty("online").GetInt32());
    });

    [Fact]
    public Task A_name_that_comes_and_goes_while_a_watcher_joins_never_stays_on_the_watchers_list() => servers.RunAsync(async server =>
    {
        // The newcomer's first frame and the change frames after it must start from one set: fold them all and the
        // result is who is there, whatever the ticks did in between. Several rounds widen the window.
        for (var round = 0; round < 5; round++)
        {
            var room = Room();
            var passer = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=passer");
            await using var watcher = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=watch&presence=1");
            await passer.DisposeAsync();
            await WaitForPresenceAsync(server, room, ["watch"]);
            await using var marker = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=marker");

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var until = DateTime.UtcNow + Deadline;
            while (!seen.Contains("marker") && DateTime.UtcNow < until)
            {
                var frame = await NextPresenceAsync(watcher);
                seen.UnionWith(Names(frame, "joined"));
                seen.ExceptWith(Names(frame, "left"));
            }
            Assert.Equal(["marker", "watch"], seen.Order(StringComparer.Ordinal));
        }
    });

    [Fact]
    public Task A_second_tab_under_the_same_name_changes_the_count_only_and_a_frame_says_so() => servers.RunAsync(async server =>
    {
        var room = Room();
        await using var watcher = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=watch&presence=1");
        await PresenceUntilAsync(watcher, f => Names(f, "joined").Contains("watch"));
        await using var tab = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=twice");
        await PresenceUntilAsync(watcher, f => Names(f, "joined").Contains("twice") && f.GetProperty("online").GetInt32() == 2);

        var second = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=twice");
        var up = await PresenceUntilAsync(watcher, f => f.GetProperty("online").GetInt32() == 3);
        Assert.Empty(Names(up, "joined"));
        Assert.Empty(Names(up, "left"));
        await second.DisposeAsync();
        var down = await PresenceUntilAsync(watcher, f => f.GetProperty("online").GetInt32() == 2);
        Assert.Empty(Names(down, "joined"));
        Assert.Empty(Names(down, "left"));
    });

    [Fact]
    public Task Presence_lists_each_escaped_name_once_sorted_and_rooms_counts_connections() => servers.RunAsync(async server =>
    {
        var room = Room();
        await using var b1 = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=b%26b");
        await using var b2 = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=b%26b");
        await using var a = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=alice");

        await WaitForPresenceAsync(server, room, ["alice", "b&amp;b"]);
        var rooms = await RoomTests.JsonAsync(server, "/rooms");
        var mine = rooms.EnumerateArray().Single(r => r.GetProperty("room").GetString() == room);
        Assert.Equal(3, mine.GetProperty("online").GetInt32());
        Assert.Empty((await RoomTests.JsonAsync(server, "/presence?room=nobody-here")).EnumerateArray());
    });

    [Fact]
    public Task A_client_without_presence_gets_no_presence_frames() => servers.RunAsync(async server =>
    {
        var room = Room();
        await using var plain = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=plain");
        await using var other = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=other");
        await WaitForPresenceAsync(server, room, ["other", "plain"]);
        await other.SendChatAsync("first frame");
        await plain.ExpectChatAsync("first frame");
    });

    [Fact]
    public Task A_name_is_the_same_bytes_in_chat_frames_history_presence_frames_presence_and_rooms() => servers.RunAsync(async server =>
    {
        // A chat frame carries U+2028 and astral characters raw; System.Text.Json wrote them as \u escapes. The quote
        // and the HTML specials are HTML-escaped by the server, the backslash JSON-escaped: one writer for all five.
        const string Name = "q\"b\\s<&>\u2028x\U0001F600";
        var token = Encoding.UTF8.GetBytes("\"q&quot;b\\\\s&lt;&amp;&gt;\u2028x\U0001F600\"");
        var room = Room();
        await using var client = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name={Uri.EscapeDataString(Name)}&presence=1");

        var presence = (await client.ReadFrameAsync()).Payload;
        Assert.Equal(Bytes($"{{\"messageType\":\"presence\",\"room\":\"{room}\",\"joined\":[", token, "],\"left\":[],\"online\":1}"), presence);
        await client.SendChatAsync("same bytes");
        var chat = (await client.ReadFrameAsync()).Payload;
        Assert.True(chat.AsSpan().IndexOf(Bytes("\"username\":", token, ",")) > 0, Encoding.UTF8.GetString(chat));

        Assert.Equal(Bytes("[", chat, "]"), await BodyAsync(server, $"/chat-history?room={room}"));
        Assert.Equal(Bytes("[", token, "]"), await BodyAsync(server, $"/presence?room={room}"));
        var rooms = await BodyAsync(server, "/rooms");
        Assert.True(rooms.AsSpan().IndexOf(Bytes($"{{\"room\":\"{room}\",\"lastId\":1,\"online\":1}}")) > 0, Encoding.UTF8.GetString(rooms));
    });

    private static byte[] Bytes(params object[] parts) =>
        [.. parts.SelectMany(p => p as byte[] ?? Encoding.UTF8.GetBytes((string)p))];

    private static async Task<byte[]> BodyAsync(EndToEnd.TestServer server, string target)
    {
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        var response = await client.RequestAsync(RawClient.Get(target));
        Assert.Equal(200, response.Status);
        response.AssertWellFormed();
        return response.Body;
    }

    private static string Room() => "p" + Guid.NewGuid().ToString("N")[..16];

    private static string[] Names(JsonElement frame, string member) =>
        [.. frame.GetProperty(member).EnumerateArray().Select(e => e.GetString()!)];

    private static async Task<JsonElement> NextPresenceAsync(RawClient client)
    {
        var frame = await client.ReadFrameAsync();
        Assert.True(frame.Opcode == Opcode.Text, $"expected a presence frame, got {frame}");
        var json = frame.Json();
        Assert.Equal("presence", json.GetProperty("messageType").GetString());
        return json;
    }

    private static async Task<JsonElement> PresenceUntilAsync(RawClient client, Func<JsonElement, bool> wanted)
    {
        var until = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < until)
        {
            var frame = await NextPresenceAsync(client);
            if (wanted(frame)) return frame;
        }
        throw new TimeoutException("no presence frame as wanted");
    }

    private static async Task WaitForPresenceAsync(EndToEnd.TestServer server, string room, string[] names)
    {
        var until = DateTime.UtcNow + Deadline;
        string[] seen = [];
        while (DateTime.UtcNow < until)
        {
            seen = [.. (await RoomTests.JsonAsync(server, "/presence?room=" + room)).EnumerateArray().Select(e => e.GetString()!)];
            if (seen.SequenceEqual(names)) return;
            await Task.Delay(50);
        }
        Assert.Equal(names, seen);
    }
}
