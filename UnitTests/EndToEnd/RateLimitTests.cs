using System.Net.WebSockets;

namespace Chat.UnitTests.EndToEnd;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Messages_over_the_rate_get_an_error_frame_and_a_client_that_keeps_going_is_closed_with_1008()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["CHAT_MAX_MESSAGES_PER_SECOND"] = "1",
            ["CHAT_MESSAGE_BURST"] = "3",
        });
        await using var flooder = await ChatClient.ConnectAsync(server.WebSocketUri());
        await using var bystander = await ChatClient.ConnectAsync(server.WebSocketUri());

        for (var i = 0; i < 4; i++) await flooder.SendChatAsync($"m{i}");
        var answers = new List<string>();
        for (var i = 0; i < 4; i++) answers.Add((await flooder.ReceiveAsync()).GetProperty("messageType").GetString()!);
        Assert.Equal(3, answers.Count(a => a == "chatMessage"));
        Assert.Equal(1, answers.Count(a => a == "error"));
        Assert.Equal(["m0", "m1", "m2"], (await bystander.ReceiveChatsAsync(3)).Select(f => f.Comment));

        for (var i = 0; i < 10; i++) await flooder.SendChatAsync($"flood {i}");
        var closed = await Assert.ThrowsAsync<WebSocketException>(async () =>
        {
            for (var i = 0; i < 20; i++) await flooder.ReceiveAsync();
        });
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, flooder.CloseStatus);
        Assert.True(await bystander.IsQuietAsync(TimeSpan.FromMilliseconds(200)), "refused messages are not broadcast");
    }
}
