using System.Text;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.Conformance;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.EndToEnd;

public sealed class RateLimitTests
{
    // Each burst goes out in one TCP write, so the server reads it at once and the bucket cannot refill in between,
    // however slow the box: the outcome depends on the limits alone.
    private static byte[] Burst(string prefix, int count) =>
        ClientFrame.Concat([.. Enumerable.Range(0, count).Select(i =>
            ClientFrame.Build(Opcode.Text, Encoding.UTF8.GetBytes(RawClient.Chat($"{prefix}{i}")), mask: RawClient.RandomMask()))]);

    [Fact]
    public async Task Messages_over_the_rate_get_an_error_frame_and_a_client_that_keeps_going_is_closed_with_1008()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["CHAT_MAX_MESSAGES_PER_SECOND"] = "1",
            ["CHAT_MESSAGE_BURST"] = "3",
        });
        await using var flooder = await RawClient.OpenWebSocketAsync(server.EndPoint);
        await using var bystander = await RawClient.OpenWebSocketAsync(server.WebSocketUri());

        await flooder.SendAsync(Burst("m", 4));
        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var frame = await flooder.ReadFrameAsync();
            answers.Add(frame.Json().GetProperty("messageType").GetString()!);
        }
        Assert.Equal(3, answers.Count(a => a == "chatMessage"));
        Assert.Equal(1, answers.Count(a => a == "error"));
        Assert.Equal(["m0", "m1", "m2"], (await bystander.ReceiveChatsAsync(3)).Select(f => f.Comment));

        await flooder.SendAsync(Burst("flood ", 10));
        var close = await ReadUntilCloseAsync(flooder);
        Assert.Equal((int)CloseStatus.PolicyViolation, close);
        Assert.True(await bystander.IsQuietAsync(TimeSpan.FromMilliseconds(200)), "refused messages are not broadcast");
    }

    private static async Task<int?> ReadUntilCloseAsync(RawClient client)
    {
        for (var i = 0; i < 20; i++)
        {
            var frame = await client.ReadFrameAsync();
            if (frame.Opcode == Opcode.Close) return frame.CloseCode;
        }
        throw new InvalidOperationException("no close frame within 20 frames");
    }
}
