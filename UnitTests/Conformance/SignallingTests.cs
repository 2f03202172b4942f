using System.Text.Json;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// The course page's video-call signalling (PROTOCOL.md): webRTC-offer, -answer and -candidate are relayed unchanged,
/// plus username and room, to every other connection of the room, never to the sender, never stored.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class SignallingTests(ConformanceServers servers)
{
    [Theory]
    [InlineData("webRTC-offer", "offer")]
    [InlineData("webRTC-answer", "answer")]
    [InlineData("webRTC-candidate", "candidate")]
    public Task A_signal_goes_unchanged_with_username_and_room_to_the_others_of_the_room_only(string type, string member) => servers.RunAsync(async server =>
    {
        var room = "call" + Guid.NewGuid().ToString("N")[..12];
        await using var sender = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=al%3Cb%3E");
        await using var peer = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&name=bo");
        await using var elsewhere = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=" + room + "x");

        await sender.SendTextAsync($$"""{"messageType":"{{type}}","{{member}}":{"sdp":"v=0\r\n","n":[1,2]},"extra":"kept"}""");
        var relayed = (await peer.ReadFrameAsync()).Json();
        await sender.SendChatAsync("after the signal");
        await elsewhere.SendChatAsync("elsewhere");

        Assert.Equal(type, relayed.GetProperty("messageType").GetString());
        Assert.Equal("v=0\r\n", relayed.GetProperty(member).GetProperty("sdp").GetString());
        Assert.Equal(2, relayed.GetProperty(member).GetProperty("n").GetArrayLength());
        Assert.Equal("kept", relayed.GetProperty("extra").GetString());
        Assert.Equal("al&lt;b&gt;", relayed.GetProperty("username").GetString());
        Assert.Equal(room, relayed.GetProperty("room").GetString());
        // The sender's and the other room's next frames are chat messages: neither got the signal.
        await sender.ExpectChatAsync("after the signal");
        await elsewhere.ExpectChatAsync("elsewhere");
        await peer.ExpectChatAsync("after the signal");
        Assert.DoesNotContain(type, await HistoryTextAsync(server, room));
    });

    [Theory]
    [InlineData("""{"messageType":"webRTC-offer"}""")]
    [InlineData("""{"messageType":"webRTC-offer","offer":"v=0"}""")]
    [InlineData("""{"messageType":"webRTC-answer","answer":null}""")]
    [InlineData("""{"messageType":"webRTC-candidate","candidate":[1]}""")]
    [InlineData("""{"messageType":"webRTC-candidate","offer":{}}""")]
    [InlineData("""{"candidate":{},"messageType":"webRTC-candidate","candidate":7}""")]
    public Task A_signal_whose_member_is_not_an_object_gets_an_error_frame_and_the_connection_stays(string message) =>
        servers.RunWebSocketAsync(async client =>
        {
            await client.SendTextAsync(message);
            Assert.Contains("JSON object", await client.ExpectErrorAsync());
            await client.SendChatAsync("still open");
            await client.ExpectChatAsync("still open");
        });

    [Fact]
    public Task The_member_may_come_before_messageType() => servers.RunAsync(async server =>
    {
        var room = "late" + Guid.NewGuid().ToString("N")[..12];
        await using var sender = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=" + room);
        await using var peer = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=" + room);

        await sender.SendTextAsync("""{"candidate":{"c":1},"messageType":"webRTC-candidate"}""");

        var relayed = (await peer.ReadFrameAsync()).Json();
        Assert.Equal(1, relayed.GetProperty("candidate").GetProperty("c").GetInt32());
    });

    private static async Task<string> HistoryTextAsync(EndToEnd.TestServer server, string room)
    {
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        var response = await client.RequestAsync(RawClient.Get($"/chat-history?room={room}"));
        Assert.Equal(200, response.Status);
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.ToString();
    }
}
