using System.Text.Json;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// Rooms (PROTOCOL.md, "Rooms, presence and signalling"): <c>room=</c> at the handshake, per-room ids, delivery,
/// replay and history, and <c>GET /rooms</c>. Each case uses rooms of its own: the servers are shared.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class RoomTests(ConformanceServers servers)
{
    [Theory]
    [InlineData("room=")]
    [InlineData("room=a%20b")]
    [InlineData("room=%C3%BC")]
    [InlineData("room=a:b")]
    [InlineData("room=a.b")]
    [InlineData("room=a%2Fb")]
    [InlineData("room=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("room=%ZZ")]
    public Task A_room_outside_1_to_64_of_the_alphabet_gets_400(string query) => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.UpgradeRequest(query));
        Assert.Equal(400, response.Status);
        Assert.Contains("room", response.BodyText);
        response.AssertWellFormed();
    });

    [Fact]
    public Task A_room_of_64_characters_is_accepted() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.UpgradeRequest("room=" + new string('x', 64)));
        Assert.Equal(101, response.Status);
    });

    [Fact]
    public Task A_client_that_names_no_room_is_in_general_and_its_frames_say_so() => servers.RunAsync(async server =>
    {
        await using var socket = await RawClient.OpenWebSocketAsync(server.EndPoint);
        await socket.SendChatAsync("where am I");
        var frame = await socket.ExpectChatAsync("where am I");
        Assert.Equal("general", frame.GetProperty("room").GetString());
    });

    [Fact]
    public Task The_room_name_is_lower_cased_and_each_room_counts_its_own_ids_from_1() => servers.RunAsync(async server =>
    {
        var room = Unique("Mixed-Case_");
        await using var socket = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=" + room);
        await socket.SendChatAsync("first");
        await socket.SendChatAsync("second");

        var first = await socket.ExpectChatAsync("first");
        var second = await socket.ExpectChatAsync("second");

        Assert.Equal(room.ToLowerInvariant(), first.GetProperty("room").GetString());
        Assert.Equal((1L, 2L), (first.GetProperty("id").GetInt64(), second.GetProperty("id").GetInt64()));
    });

    [Fact]
    public Task A_message_reaches_the_connections_of_its_room_only() => servers.RunAsync(async server =>
    {
        var (red, blue) = (Unique("red"), Unique("blue"));
        await using var redA = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=" + red);
        await using var redB = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=" + red);
        await using var blueA = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=" + blue);

        await redA.SendChatAsync("for red");
        await redA.ExpectChatAsync("for red");
        var seen = await redB.ExpectChatAsync("for red");
        await blueA.SendChatAsync("for blue");

        // Blue's first frame is its own message: red's never reached it.
        var blueFirst = await blueA.ExpectChatAsync("for blue");
        Assert.Equal(red, seen.GetProperty("room").GetString());
        Assert.Equal(blue, blueFirst.GetProperty("room").GetString());
        Assert.Equal(1, blueFirst.GetProperty("id").GetInt64());
        await redA.SendChatAsync("red again");
        await redB.ExpectChatAsync("red again");
    });

    [Fact]
    public Task Since_replays_the_room_after_that_id_then_live() => servers.RunAsync(async server =>
    {
        var room = Unique("replay");
        await using (var writer = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=" + room))
        {
            for (var i = 1; i <= 3; i++)
            {
                await writer.SendChatAsync($"r{i}");
                await writer.ExpectChatAsync($"r{i}");
            }
        }

        await using var reader = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&since=1");
        Assert.Equal(2, (await reader.ExpectChatAsync("r2")).GetProperty("id").GetInt64());
        Assert.Equal(3, (await reader.ExpectChatAsync("r3")).GetProperty("id").GetInt64());
        await reader.SendChatAsync("r4");
        Assert.Equal(4, (await reader.ExpectChatAsync("r4")).GetProperty("id").GetInt64());
    });

    [Fact]
    public Task History_and_rooms_answer_per_room() => servers.RunAsync(async server =>
    {
        var room = Unique("hist");
        await using var writer = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=" + room);
        await writer.SendChatAsync("h1");
        await writer.ExpectChatAsync("h1");
        await writer.SendChatAsync("h2");
        await writer.ExpectChatAsync("h2");

        var history = await JsonAsync(server, $"/chat-history?room={room}&since=1");
        var general = await JsonAsync(server, "/chat-history?limit=1000");
        var rooms = await JsonAsync(server, "/rooms");

        var only = Assert.Single(history.EnumerateArray());
        Assert.Equal(("h2", room, 2L), (only.GetProperty("comment").GetString(), only.GetProperty("room").GetString(), only.GetProperty("id").GetInt64()));
        Assert.DoesNotContain(general.EnumerateArray(), m => m.GetProperty("comment").GetString() is "h1" or "h2");
        var names = rooms.EnumerateArray().Select(r => r.GetProperty("room").GetString()!).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Contains("general", names);
        var mine = rooms.EnumerateArray().Single(r => r.GetProperty("room").GetString() == room);
        Assert.Equal((2L, 1), (mine.GetProperty("lastId").GetInt64(), mine.GetProperty("online").GetInt32()));
    });

    [Fact]
    public Task A_bad_room_in_history_gets_400() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get("/chat-history?room=no%20way"));
        Assert.Equal(400, response.Status);
        response.AssertWellFormed();
    });

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 12, 64)];

    /// <summary>GET target: 200 with a well-formed JSON body, returned.</summary>
    internal static async Task<JsonElement> JsonAsync(EndToEnd.TestServer server, string target)
    {
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        var response = await client.RequestAsync(RawClient.Get(target));
        Assert.Equal(200, response.Status);
        Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
        response.AssertWellFormed();
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.Clone();
    }
}
