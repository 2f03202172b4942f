using System.Globalization;
using System.Text;
using Chat.Pipeline;
using Chat.Pipeline.Codecs;
using Chat.Reactor;
using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Pipeline;

/// <summary>
/// chat_slow_consumers_dropped_total counts a client that does not read on every path that queues it frames (issue 18):
/// live broadcast, catching up from the room's replay window, catching up from the store, the pongs owed to its
/// pings, and the error frames owed to its bad messages (ConnectionWriterTests drives presence and relayed signals).
/// Each such client has a 4 KiB TCP window and never reads, and is sent far more than the send-queue limit and the
/// kernel's buffers hold. A client that catches up on as much and reads is paced, never dropped, on both replay paths.
/// </summary>
public sealed class SlowConsumerDropTests
{
    private const long HighWaterMark = 64 * 1024;

    // 250 messages of 30 KB: about 7.2 MiB, over a hundred times the limit and more than the kernel's buffers of the
    // connection hold (a send buffer grows to 4 MiB by tcp_wmem); all in the replay window (4 096).
    private const int Messages = 250;

    private static readonly string Comment = new('x', 30_000);
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private static readonly PipelineOptions Options = new()
    {
        MaxCommentChars = 40_000,
        MessagesPerSecond = 0,
        ReplayDrainTimeout = TimeSpan.FromSeconds(2),
    };

    [Fact]
    public async Task A_live_member_that_does_not_read_is_dropped_by_broadcast_and_counted()
    {
        await using var server = await StartAsync(await StoreAsync(stored: 0));
        await using var stalled = await RawClient.ConnectAsync(server.EndPoint, receiveBuffer: 4096);
        Assert.Equal(101, await stalled.UpgradeAsync("name=stalled"));

        // Live frames trickle in one by one, and the kernel's send buffer takes them before the queue grows: rounds go
        // on until the client is dropped, bounded at 4 rounds (29 MiB).
        var dropped = 0L;
        for (var round = 0; round < 4 && dropped == 0; round++)
        {
            await SendAndReadEchoesAsync(server);
            dropped = await DroppedAsync(server);
        }

        Assert.Equal(1, await DroppedAfterAsync(server));
    }

    [Fact]
    public async Task A_client_catching_up_from_the_replay_window_that_does_not_read_is_dropped_and_counted()
    {
        await using var server = await StartAsync(await StoreAsync(stored: 0));
        // Broadcast while the server runs: the room's replay window holds them all, so since=0 is served from it.
        await SendAndReadEchoesAsync(server);

        await using var stalled = await UpgradeWithoutReadingAsync(server, "name=stalled&since=0");

        Assert.Equal(1, await DroppedAfterAsync(server));
    }

    [Fact]
    public async Task A_client_catching_up_from_the_store_that_does_not_read_is_dropped_and_counted()
    {
        // Stored before the server starts: its replay window is empty, so since=0 is served from the store.
        await using var server = await StartAsync(await StoreAsync(stored: Messages));

        await using var stalled = await UpgradeWithoutReadingAsync(server, "name=stalled&since=0");

        Assert.Equal(1, await DroppedAfterAsync(server));
    }

    [Fact]
    public async Task A_client_catching_up_from_the_replay_window_on_a_hundred_times_its_send_queue_that_reads_gets_every_message_and_is_not_dropped()
    {
        await using var server = await StartAsync(await StoreAsync(stored: 0));
        await SendAndReadEchoesAsync(server);

        await ExpectEveryMessageAsync(server);
    }

    [Fact]
    public async Task A_client_catching_up_from_the_store_on_a_hundred_times_its_send_queue_that_reads_gets_every_message_and_is_not_dropped()
    {
        await using var server = await StartAsync(await StoreAsync(stored: Messages));

        await ExpectEveryMessageAsync(server);
    }

    [Fact]
    public async Task A_client_that_pings_and_never_reads_its_pongs_is_dropped_and_counted()
    {
        // No control-frame budget: the pings must be answered until the pongs overflow the queue, not refused as a flood.
        var options = new PipelineOptions { MessagesPerSecond = 0, ControlFramesPerSecond = 0 };
        await using var server = await InProcessPipelineServer.StartAsync(await StoreAsync(stored: 0), options, ReactorBackend.Epoll, highWaterMark: HighWaterMark);
        await using var pinger = await RawClient.ConnectAsync(server.EndPoint, receiveBuffer: 4096);
        Assert.Equal(101, await pinger.UpgradeAsync("name=pinger"));

        // Each batch is 8,192 pings of 125 bytes, owed 1 MiB of pongs. Batches go on until the drop, bounded at 10
        // (10 MiB, more than the queue's limit and the kernel's buffers of the connection hold); a send that fails
        // because the drop reset the connection ends them too.
        var batch = Enumerable.Range(0, 8192).SelectMany(_ => RawClient.Frame((int)Opcode.Ping, new byte[125])).ToArray();
        for (var round = 0; round < 10 && await DroppedAsync(server) == 0; round++)
        {
            try
            {
                await pinger.SendAsync(batch, Within);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                break;
            }
        }

        Assert.Equal(1, await DroppedAfterAsync(server));
    }

    [Fact]
    public async Task A_client_that_sends_bad_messages_and_never_reads_its_error_frames_is_dropped_and_counted()
    {
        await using var server = await StartAsync(await StoreAsync(stored: 0));
        await using var sender = await RawClient.ConnectAsync(server.EndPoint, receiveBuffer: 4096);
        Assert.Equal(101, await sender.UpgradeAsync("name=sender"));

        // Each batch is 8,192 messages of an unknown type (25 bytes each on the wire), owed an error frame of about 150
        // bytes each: 1.2 MiB. Batches go on until the drop, bounded at 10 (12 MiB, more than the queue's limit and the
        // kernel's buffers of the connection hold); a send that fails because the drop reset the connection ends them too.
        var batch = Enumerable.Range(0, 8192).SelectMany(_ => RawClient.Frame((int)Opcode.Text, "{\"messageType\":\"x\"}"u8)).ToArray();
        for (var round = 0; round < 10 && await DroppedAsync(server) == 0; round++)
        {
            try
            {
                await sender.SendAsync(batch, Within);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                break;
            }
        }

        Assert.Equal(1, await DroppedAfterAsync(server));
    }

    /// <summary>A client reconnecting with since=0 reads ids 1 to <see cref="Messages"/>, in order, and nobody was dropped.</summary>
    private static async Task ExpectEveryMessageAsync(InProcessPipelineServer server)
    {
        await using var reader = await RawClient.OpenWebSocketAsync(server.EndPoint, "name=reader&since=0");
        for (var id = 1; id <= Messages; id++)
        {
            var frame = await reader.ReadFrameAsync(Within);
            Assert.Equal(Opcode.Text, frame.Opcode);
            Assert.Equal(id, frame.Json().GetProperty("id").GetInt64());
        }
        Assert.Equal(0, await DroppedAsync(server));
    }

    /// <summary>
    /// Asks for the upgrade and reads nothing, not even the 101: the replay is queued right behind it, and a drop
    /// discards whatever of it is still queued.
    /// </summary>
    private static async Task<RawClient> UpgradeWithoutReadingAsync(InProcessPipelineServer server, string query)
    {
        var client = await RawClient.ConnectAsync(server.EndPoint, receiveBuffer: 4096);
        await client.SendAsync(RawClient.UpgradeRequest(query));
        return client;
    }

    private static Task<InProcessPipelineServer> StartAsync(IMessageStore store) =>
        InProcessPipelineServer.StartAsync(store, Options, ReactorBackend.Epoll, highWaterMark: HighWaterMark);

    private static async Task<IMessageStore> StoreAsync(int stored)
    {
        var store = new InMemoryMessageStore(new StoreOptions(), NullLogger<InMemoryMessageStore>.Instance);
        await store.InitializeAsync(CancellationToken.None);
        if (stored > 0)
        {
            var rows = Enumerable.Range(0, stored).Select(_ => new NewMessage("someone"u8.ToArray(), Encoding.UTF8.GetBytes(Comment), DateTime.UtcNow));
            await store.AppendAsync(Guid.NewGuid(), RoomName.General, rows.ToArray(), CancellationToken.None);
        }
        return store;
    }

    /// <summary>A reading client sends the messages one by one, reading each one's broadcast back.</summary>
    private static async Task SendAndReadEchoesAsync(InProcessPipelineServer server)
    {
        await using var sender = await RawClient.OpenWebSocketAsync(server.EndPoint, "name=sender");
        for (var i = 0; i < Messages; i++)
        {
            await sender.SendChatAsync(Comment);
            var echo = await sender.ReadFrameAsync().WaitAsync(Within);
            Assert.Equal(Opcode.Text, echo.Opcode);
        }
    }

    /// <summary>The counter once it is above zero, or zero after <see cref="Within"/>.</summary>
    private static async Task<long> DroppedAfterAsync(InProcessPipelineServer server)
    {
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            var dropped = await DroppedAsync(server);
            if (dropped > 0 || DateTime.UtcNow > deadline) return dropped;
            await Task.Delay(100);
        }
    }

    private static async Task<long> DroppedAsync(InProcessPipelineServer server)
    {
        const string Name = "chat_slow_consumers_dropped_total ";
        await using var http = await RawClient.ConnectAsync(server.EndPoint);
        var metrics = (await http.RequestAsync(RawClient.Get("/metrics"))).BodyText;
        var line = metrics.Split('\n').Single(l => l.StartsWith(Name, StringComparison.Ordinal));
        return long.Parse(line.AsSpan(Name.Length), CultureInfo.InvariantCulture);
    }
}
