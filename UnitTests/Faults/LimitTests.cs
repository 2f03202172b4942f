using System.Net;
using Chat.Reactor;
using Chat.Server;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Faults;

/// <summary>
/// The configurable limits: connections in total and per source address (503), message size (1009) and comment length
/// (error frame). The message rate limit is RateLimitTests.
/// </summary>
public sealed class LimitTests
{
    [Fact]
    public void Limits_have_their_documented_defaults()
    {
        var configuration = ServerConfiguration.Load(new Dictionary<string, string?>(), []);
        Assert.Equal(DescriptorBudget.Read().ConnectionCap, configuration.MaxConnections);
        Assert.Equal(0, configuration.MaxConnectionsPerAddress);
        Assert.Equal(64 * 1024, configuration.Pipeline.MaxMessageBytes);
        Assert.Equal(4096, configuration.Pipeline.MaxCommentChars);
        Assert.Equal(16 * 1024, configuration.Pipeline.MaxHeadBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), configuration.Pipeline.HeadTimeout);
        Assert.Equal(100, configuration.Pipeline.MessagesPerSecond);
        Assert.Equal(200, configuration.Pipeline.MessageBurst);
        Assert.Equal(new ReactorOptions().HighWaterMark, configuration.Reactor.HighWaterMark);
        Assert.Equal(TimeSpan.FromSeconds(10), configuration.ShutdownTimeout);
        Assert.Empty(configuration.Pipeline.AllowedOrigins);
    }

    [Fact]
    public async Task Connections_past_the_total_limit_get_503_and_a_freed_slot_serves_again()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_MAX_CONNECTIONS"] = "3" });
        var clients = new List<RawClient>();
        try
        {
            for (var i = 0; i < 3; i++) clients.Add(await RawClient.OpenWebSocketAsync(server.WebSocketUri()));
            await using (var fourth = await RawClient.ConnectAsync(server.EndPoint))
            {
                Assert.Equal(503, RawClient.StatusOf(await fourth.ReadHeadAsync()));
                Assert.True(await fourth.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
            }
            await clients[0].DisposeAsync();
            clients.RemoveAt(0);
            Assert.True(await ChatLoad.EventuallyAsync(async () =>
            {
                await using var again = await RawClient.ConnectAsync(server.EndPoint);
                return await again.UpgradeAsync() == 101;
            }, TimeSpan.FromSeconds(15)), "a closed connection frees its slot");
            await clients[0].SendChatAsync("the others were never cut off");
            Assert.Equal("the others were never cut off", ChatFrame.From(await clients[1].ReceiveAsync()).Comment);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Connections_past_the_per_address_limit_get_503_while_other_addresses_still_connect()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_MAX_CONNECTIONS_PER_ADDRESS"] = "2" });
        var second = IPAddress.Parse("127.0.0.2");
        await using var a = await RawClient.ConnectAsync(server.EndPoint, second);
        await using var b = await RawClient.ConnectAsync(server.EndPoint, second);
        Assert.Equal(101, await a.UpgradeAsync());
        Assert.Equal(101, await b.UpgradeAsync());
        await using var c = await RawClient.ConnectAsync(server.EndPoint, second);
        Assert.Equal(503, RawClient.StatusOf(await c.ReadHeadAsync()));

        await using var fromThird = await RawClient.ConnectAsync(server.EndPoint, IPAddress.Parse("127.0.0.3"));
        Assert.Equal(101, await fromThird.UpgradeAsync());
        await using var local = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        await local.SendChatAsync("127.0.0.1 is not limited by 127.0.0.2");
        Assert.Equal("127.0.0.1 is not limited by 127.0.0.2", ChatFrame.From(await local.ReceiveAsync()).Comment);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_closes_with_1009_even_when_each_fragment_is_small()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_MAX_MESSAGE_BYTES"] = "1024" });
        await using var sender = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(101, await sender.UpgradeAsync());
        await sender.SendAsync(RawClient.Frame(0x1, new byte[600], fin: false));
        await sender.SendAsync(RawClient.Frame(0x0, new byte[600]));
        Assert.Equal(1009, await sender.ReadCloseCodeAsync());
    }

    [Fact]
    public async Task A_comment_over_the_length_limit_gets_an_error_frame_and_the_connection_stays_open()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_MAX_COMMENT_CHARS"] = "10" });
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        await client.SendChatAsync(new string('a', 11));
        var error = await client.ReceiveAsync();
        Assert.Equal("error", error.GetProperty("messageType").GetString());

        // The limit counts characters (scalar values), not bytes: ten 4-byte emoji fit.
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 10));
        await client.SendChatAsync(emoji);
        Assert.Equal(emoji, ChatFrame.From(await client.ReceiveAsync()).Comment);
    }
}
