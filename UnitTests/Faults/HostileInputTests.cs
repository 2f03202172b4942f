using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Attacks on the HTTP and WebSocket layers, each while two honest clients keep chatting: every attack gets its
/// defined answer (status or close code), and the honest pair receives every message of the other.
/// </summary>
public sealed class HostileInputTests(HostileServer server, ITestOutputHelper output) : IClassFixture<HostileServer>
{
    private static readonly TimeSpan PairDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Slowloris_head_sent_one_byte_a_second_gets_408_and_is_closed_at_the_head_timeout()
    {
        await using var pair = await server.HonestPairAsync();
        await using var slow = await RawClient.ConnectAsync(server.Process.EndPoint);
        var head = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: yes\r\n\r\n");
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var dripping = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < head.Length && !stop.IsCancellationRequested; i++)
                {
                    await slow.SendAsync(head.AsMemory(i, 1));
                    await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
            }
        });

        var answer = await slow.ReadHeadAsync(TimeSpan.FromSeconds(20));
        var took = clock.Elapsed;
        await stop.CancelAsync();
        await dripping;
        Assert.Equal(408, RawClient.StatusOf(answer));
        Assert.True(took < TimeSpan.FromSeconds(HostileServer.HeadTimeoutSeconds + 8), $"closed near the {HostileServer.HeadTimeoutSeconds} s head timeout, took {took}");
        Assert.True(await slow.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
        await AssertPairKeptChattingAsync(pair, $"slowloris answered 408 after {took.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task A_head_with_a_flood_of_headers_gets_431()
    {
        await using var pair = await server.HonestPairAsync();
        var head = new StringBuilder("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (var i = 0; i < 500; i++) head.Append(System.Globalization.CultureInfo.InvariantCulture, $"X-Flood-{i}: y\r\n");
        await AssertAnsweredAsync(head.Append("\r\n").ToString(), 431);
        await AssertPairKeptChattingAsync(pair, "500 headers answered 431");
    }

    [Fact]
    public async Task An_oversized_head_gets_431_before_it_ends()
    {
        await using var pair = await server.HonestPairAsync();
        // 64 KiB of one header and no blank line: the answer must not wait for the end of the head.
        await AssertAnsweredAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + new string('a', 64 * 1024), 431);
        await AssertPairKeptChattingAsync(pair, "a 64 KiB head answered 431");
    }

    [Fact]
    public async Task A_frame_declaring_more_than_the_message_limit_closes_with_1009_before_its_payload()
    {
        await using var pair = await server.HonestPairAsync();
        using var attacker = await UpgradedAsync();
        await attacker.SendAsync(RawClient.FrameHeader(0x1, 100 * 1024 * 1024));
        Assert.Equal(1009, await attacker.ReadCloseCodeAsync());
        await AssertPairKeptChattingAsync(pair, "a 100 MiB frame header closed 1009");
    }

    [Fact]
    public async Task A_declared_64_bit_length_of_2_to_the_63_closes_with_1002()
    {
        await using var pair = await server.HonestPairAsync();
        using var attacker = await UpgradedAsync();
        await attacker.SendAsync(RawClient.FrameHeader(0x1, 1UL << 63));
        Assert.Equal(1002, await attacker.ReadCloseCodeAsync());
        await AssertPairKeptChattingAsync(pair, "a 2^63 length closed 1002");
    }

    [Fact]
    public async Task Invalid_utf8_in_a_text_message_closes_with_1007()
    {
        await using var pair = await server.HonestPairAsync();
        using var attacker = await UpgradedAsync();
        await attacker.SendAsync(RawClient.Frame(0x1, [(byte)'{', 0xC3, 0x28, 0xED, 0xA0, 0x80, (byte)'}']));
        Assert.Equal(1007, await attacker.ReadCloseCodeAsync());
        await AssertPairKeptChattingAsync(pair, "invalid UTF-8 closed 1007");
    }

    [Fact]
    public async Task Garbage_after_the_handshake_closes_with_1002()
    {
        await using var pair = await server.HonestPairAsync();
        using var attacker = await UpgradedAsync();
        // An HTTP request where a frame should be: 'G' sets a reserved bit.
        await attacker.SendAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + new string('\xff', 100));
        Assert.Equal(1002, await attacker.ReadCloseCodeAsync());
        await AssertPairKeptChattingAsync(pair, "garbage after the handshake closed 1002");
    }

    [Fact]
    public async Task Thousands_of_connections_opened_and_dropped_leave_memory_bounded_and_no_connection_behind()
    {
        const int total = 3000;
        const int wave = 100;
        await using var pair = await server.HonestPairAsync();
        var heapBefore = await ServerProbe.MetricAsync(server.Process.HttpUri, "process_managed_memory_bytes");
        var rssBefore = ServerProbe.ResidentBytes(server.Process.Id);
        var openBefore = await ServerProbe.MetricAsync(server.Process.HttpUri, "chat_connections_open");
        var clock = Stopwatch.StartNew();
        for (var done = 0; done < total; done += wave)
        {
            var connections = await Task.WhenAll(Enumerable.Range(done, wave).Select(i => RawClient.ConnectAsync(server.Process.EndPoint)));
            // A third send nothing, a third half a head, a third half an upgrade: each kind of state a drop must free.
            await Task.WhenAll(connections.Select((c, i) => ((done + i) % 3) switch
            {
                0 => Task.CompletedTask,
                1 => c.SendAsync("GET /chat-history HTTP/1.1\r\nHost: 1"),
                _ => c.SendAsync("GET /websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"),
            }));
            foreach (var connection in connections) connection.Dispose();
        }
        var churn = clock.Elapsed;
        Assert.True(await ChatLoad.EventuallyAsync(async () => await ServerProbe.MetricAsync(server.Process.HttpUri, "chat_connections_open") <= openBefore,
            TimeSpan.FromSeconds(30)), "every dropped connection is released");
        var heapAfter = await ServerProbe.MetricAsync(server.Process.HttpUri, "process_managed_memory_bytes");
        var rssAfter = ServerProbe.ResidentBytes(server.Process.Id);
        output.WriteLine($"churn: {total} connections opened and dropped in {churn.TotalSeconds:F1} s; managed memory {heapBefore / 1048576:F1} -> {heapAfter / 1048576:F1} MiB, "
            + $"RSS {rssBefore / 1048576.0:F1} -> {rssAfter / 1048576.0:F1} MiB");
        Assert.True(heapAfter < heapBefore + 64 * 1048576, "managed memory grows by less than 64 MiB");
        Assert.True(rssAfter < rssBefore + 128 * 1048576, "the resident set grows by less than 128 MiB");
        await AssertPairKeptChattingAsync(pair, $"{total} connections churned");
    }

    private async Task<RawClient> UpgradedAsync()
    {
        var connection = await RawClient.ConnectAsync(server.Process.EndPoint);
        Assert.Equal(101, await connection.UpgradeAsync());
        return connection;
    }

    private async Task AssertAnsweredAsync(string request, int status)
    {
        await using var attacker = await RawClient.ConnectAsync(server.Process.EndPoint);
        try
        {
            await attacker.SendAsync(request);
        }
        catch (SocketException)
        {
            // The server may answer and close before the whole request is written; the answer is still there to read.
        }
        Assert.Equal(status, RawClient.StatusOf(await attacker.ReadHeadAsync()));
        Assert.True(await attacker.IsClosedByServerAsync(TimeSpan.FromSeconds(10)), "and closes the connection");
    }

    private async Task AssertPairKeptChattingAsync(ChatLoad pair, string attack)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await pair.StopSendingAsync();
        var delivered = await pair.AssertEveryoneReceivedEverythingAsync(PairDeadline);
        Assert.True(delivered.Count > 0, "the honest pair chatted during the attack");
        output.WriteLine($"{attack}; meanwhile the honest pair exchanged {delivered.Count} messages, all delivered to both");
    }
}
