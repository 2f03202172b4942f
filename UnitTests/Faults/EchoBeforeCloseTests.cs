using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Chat.UnitTests.EndToEnd;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Issue 19 items 4 and 5: a server-initiated close comes after the echo of every message it stored (rate 1008), and
/// control-frame floods are bounded (1008 past the budget; a pong that cannot be queued closes the connection).
/// </summary>
public sealed class EchoBeforeCloseTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_burst_over_the_rate_gets_every_stored_message_echoed_before_1008()
    {
        const int burst = 1000;
        await using var server = await TestServer.StartAsync();
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(101, await client.UpgradeAsync("name=burster"));
        var bytes = new List<byte>();
        for (var i = 0; i < burst; i++) bytes.AddRange(RawClient.Frame(1, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { messageType = "chatMessage", comment = $"burst {i}" }))));
        await client.SendAsync(bytes.ToArray());

        var echoes = new List<string>();
        var errors = 0;
        int closeCode;
        while (true)
        {
            var (opcode, payload) = await client.ReadFrameAsync(Generous);
            if (opcode == 0x8)
            {
                closeCode = BinaryPrimitives.ReadUInt16BigEndian(payload);
                break;
            }
            var json = JsonDocument.Parse(payload).RootElement;
            if (json.GetProperty("messageType").GetString() == "chatMessage") echoes.Add(json.GetProperty("comment").GetString()!);
            else errors++;
        }
        var stored = (await ServerProbe.HistoryAsync(server.HttpUri)).Where(m => m.Username == "burster").Select(m => m.Comment).ToList();
        output.WriteLine($"{burst} messages in one write: {stored.Count} stored, {echoes.Count} echoed to the sender before its close {closeCode}, {errors} error frames");
        Assert.Equal(1008, closeCode);
        Assert.NotEmpty(stored);
        Assert.Equal(stored, echoes);
    }

    [Fact]
    public async Task A_ping_flood_is_closed_with_1008_past_the_budget()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_MAX_CONTROL_FRAMES_PER_SECOND"] = "50" });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(101, await client.UpgradeAsync());
        var pings = Enumerable.Range(0, 1000).SelectMany(_ => RawClient.Frame(0x9, "are you there"u8)).ToArray();
        await client.SendAsync(pings);
        var pongs = 0;
        while (true)
        {
            var (opcode, payload) = await client.ReadFrameAsync(Generous);
            if (opcode == 0x8)
            {
                Assert.Equal(1008, BinaryPrimitives.ReadUInt16BigEndian(payload));
                break;
            }
            Assert.Equal(0xA, opcode);
            pongs++;
        }
        output.WriteLine($"1000 pings in one write, budget 50 a second: {pongs} pongs, then 1008");
        Assert.InRange(pongs, 50, 100);
        Assert.True(await client.IsClosedByServerAsync(Generous));
    }

    [Fact]
    public async Task An_empty_continuation_flood_is_closed_with_1008()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_MAX_CONTROL_FRAMES_PER_SECOND"] = "50" });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(101, await client.UpgradeAsync());
        var bytes = new List<byte>(RawClient.Frame(1, "{\"messageType\":"u8, fin: false));
        for (var i = 0; i < 10_000; i++) bytes.AddRange(RawClient.Frame(0, [], fin: false));
        await client.SendAsync(bytes.ToArray());
        Assert.Equal(1008, await client.ReadCloseCodeAsync(Generous));
    }

    [Fact]
    public async Task A_pinger_that_never_reads_is_closed_when_its_pong_cannot_be_queued()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["CHAT_MAX_CONTROL_FRAMES_PER_SECOND"] = "0",
            ["CHAT_HIGH_WATER_MARK_BYTES"] = "4096",
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint, receiveBuffer: 4096);
        Assert.Equal(101, await client.UpgradeAsync());
        var chunk = Enumerable.Range(0, 1000).SelectMany(_ => RawClient.Frame(0x9, new byte[125])).ToArray();
        var sent = 0;
        // Bounded: 200 chunks of 1,000 pings (26 MB) at most; the kernel buffers on both sides take a few MB first.
        while (sent < 200)
        {
            try
            {
                await client.SendAsync(chunk);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                break;
            }
            sent++;
            if (await ServerProbe.MetricAsync(server.HttpUri, "chat_slow_consumers_dropped_total") >= 1) break;
        }
        output.WriteLine($"{sent * 1000} pings of 125 bytes sent without reading before the server gave up on the pongs");
        Assert.True(await ServerProbe.MetricAsync(server.HttpUri, "chat_slow_consumers_dropped_total") >= 1, "the server never dropped a pinger that does not read");
        Assert.Equal(1008, await client.ReadCloseCodeAsync(Generous));
    }
}
