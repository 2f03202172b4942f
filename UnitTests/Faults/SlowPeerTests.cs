using System.Net.WebSockets;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.EndToEnd;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Peers that stop reading or vanish: a reader that stops is cut off at CHAT_HIGH_WATER_MARK_BYTES without holding up
/// the others; a peer that answers no ping is closed after the idle timeout while one that does stays.
/// </summary>
public sealed class SlowPeerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_that_stops_reading_is_closed_with_1008_at_the_high_water_mark_and_the_others_get_every_message()
    {
        const int messages = 150;
        const int burst = 5;
        const int highWaterMark = 1024 * 1024;
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["CHAT_HIGH_WATER_MARK_BYTES"] = highWaterMark.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CHAT_MAX_MESSAGES_PER_SECOND"] = "0",
            ["CHAT_MAX_COMMENT_CHARS"] = "40000",
        });
        await using var alice = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=alice"));
        await using var bob = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=bob"));
        // A 4 KiB receive window: the kernel cannot absorb what the server sends, so its queue has to grow.
        await using var stalled = await RawClient.ConnectAsync(server.EndPoint, receiveBuffer: 4096);
        Assert.Equal(101, await stalled.UpgradeAsync("name=stalled"));
        await alice.SendChatAsync("hello");
        await alice.ReceiveAsync();
        await bob.ReceiveAsync();
        Assert.Equal(Opcode.Text, (await stalled.ReadFrameAsync()).Opcode);

        var comment = new string('x', 30_000);
        var views = new[] { new List<ChatFrame>(), new List<ChatFrame>() };
        // The honest pair reads as it chats (every few messages), as real clients do; the stalled one never reads again.
        for (var i = 0; i < messages; i += burst)
        {
            for (var j = i; j < i + burst; j++) await alice.SendChatAsync($"{j} {comment}");
            views[0].AddRange(await alice.ReceiveChatsAsync(burst, TimeSpan.FromSeconds(30)));
            views[1].AddRange(await bob.ReceiveChatsAsync(burst, TimeSpan.FromSeconds(30)));
        }
        foreach (var view in views) Assert.Equal(Enumerable.Range(0, messages).Select(i => $"{i} {comment}"), view.Select(f => f.Comment));
        Assert.True(await ChatLoad.EventuallyAsync(async () => await ServerProbe.MetricAsync(server.HttpUri, "chat_slow_consumers_dropped_total") == 1,
            TimeSpan.FromSeconds(10)), "exactly the stalled reader is dropped");
        Assert.Equal(1008, await stalled.ReadCloseCodeAsync(TimeSpan.FromSeconds(20)));
        Assert.True(alice.IsOpen);
        Assert.True(bob.IsOpen);
        output.WriteLine($"slow reader: {messages} messages of {comment.Length + 4} bytes ({messages * 30 / 1024.0:F1} MiB) to 2 readers and 1 stalled one; "
            + $"the stalled one closed with 1008 at the {highWaterMark / 1024} KiB mark, the readers got {views[0].Count} and {views[1].Count}");
    }

    [Fact]
    public async Task A_peer_that_answers_no_ping_is_closed_with_1001_after_the_idle_timeout_and_a_live_one_stays()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["CHAT_PING_INTERVAL_SECONDS"] = "1",
            ["CHAT_IDLE_TIMEOUT_SECONDS"] = "3",
        });
        await using var live = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=live"));
        await using var halfOpen = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(101, await halfOpen.UpgradeAsync("name=gone"));
        await using var other = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=other"));
        // A client's receive answers pings while it is pending: these two keep their connections alive meanwhile.
        var next = live.ReceiveAsync(TimeSpan.FromSeconds(60));
        var echo = other.ReceiveAsync(TimeSpan.FromSeconds(60));

        var (opcode, _) = await halfOpen.ReadFrameAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0x9, opcode);
        Assert.Equal(1001, await halfOpen.ReadCloseCodeAsync(TimeSpan.FromSeconds(15)));
        Assert.True(await halfOpen.IsClosedByServerAsync(TimeSpan.FromSeconds(10)), "the TCP connection is closed too");

        // Past another idle timeout: the live client, which answers its pings, is still there.
        await Task.Delay(TimeSpan.FromSeconds(4));
        await other.SendChatAsync("still here?");
        Assert.Equal("still here?", ChatFrame.From(await next).Comment);
        Assert.Equal("still here?", ChatFrame.From(await echo).Comment);
        Assert.True(live.IsOpen);
    }
}
