using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Conformance;

/// <summary>CHAT_MAX_ROOMS and CHAT_ROOMS: a handshake past them gets 403 with a body that says why.</summary>
public sealed class RoomLimitTests
{
    [Fact]
    public async Task Past_CHAT_MAX_ROOMS_a_new_room_gets_403_and_existing_rooms_still_open()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_MAX_ROOMS"] = "2" });
        await using (var first = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=one"))
        {
        }

        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        var refused = await client.RequestAsync(RawClient.UpgradeRequest("room=two"));
        await using var again = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=one");
        await using var general = await RawClient.OpenWebSocketAsync(server.EndPoint);

        Assert.Equal(403, refused.Status);
        Assert.Contains("too many rooms", refused.BodyText);
        Assert.Contains("CHAT_MAX_ROOMS", refused.BodyText);
        refused.AssertWellFormed();
    }

    [Fact]
    public async Task With_CHAT_ROOMS_only_the_listed_rooms_open()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_ROOMS"] = "general,Lobby" });
        await using var lobby = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=LOBBY");
        await using var general = await RawClient.OpenWebSocketAsync(server.EndPoint);

        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        var refused = await client.RequestAsync(RawClient.UpgradeRequest("room=elsewhere"));

        Assert.Equal(403, refused.Status);
        Assert.Contains("elsewhere", refused.BodyText);
        Assert.Contains("CHAT_ROOMS", refused.BodyText);
    }
}
