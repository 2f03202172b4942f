using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using Chat.UnitTests.EndToEnd;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// SIGTERM and Ctrl+C (SIGINT) under chat load: the server stops accepting, stores and broadcasts everything it read,
/// says 1001 to every client and exits 0 within CHAT_SHUTDOWN_TIMEOUT_SECONDS.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private const int Clients = 3;
    private const int DeadlineSeconds = 5;

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_under_load_drains_commits_the_last_batch_closes_every_client_with_1001_and_exits_0(string signal)
    {
        var settings = new Dictionary<string, string>
        {
            ["CHAT_DATA_DIR"] = Directory.CreateTempSubdirectory("chat-stop-").FullName,
            ["CHAT_SHUTDOWN_TIMEOUT_SECONDS"] = DeadlineSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        IReadOnlyList<ChatFrame>[] views;
        int sent, code;
        TimeSpan took;
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            await using var load = await ChatLoad.StartAsync(server.WebSocketUri("since=0"), Clients, TimeSpan.FromMilliseconds(10));
            Assert.True(await load.WaitForReceivedAsync(100, TimeSpan.FromSeconds(60)), "the load is flowing before the signal");

            var clock = Stopwatch.StartNew();
            code = await server.TerminateAsync(TimeSpan.FromSeconds(DeadlineSeconds + 20), signal);
            took = clock.Elapsed;
            await load.StopSendingAsync();
            Assert.True(await ChatLoad.EventuallyAsync(() => Enumerable.Range(0, Clients).All(c => !load.IsOpen(c)), TimeSpan.FromSeconds(10)));
            for (var c = 0; c < Clients; c++) Assert.Equal((int)WebSocketCloseStatus.EndpointUnavailable, load.CloseCodeOf(c));
            sent = load.Sent;
            views = [.. Enumerable.Range(0, Clients).Select(load.ReceivedBy)];
            Assert.True(code == 0, $"exit code 0, got {code}: {server.Output}");
        }
        Assert.True(took < TimeSpan.FromSeconds(DeadlineSeconds + 5), $"exits within its {DeadlineSeconds} s deadline (plus process exit), took {took}");

        await using var restarted = await ServerProcess.StartAsync(settings);
        var stored = await ServerProbe.HistoryAsync(restarted.HttpUri);
        // Everything stored was broadcast to everyone before the 1001, and nothing unstored was broadcast.
        foreach (var view in views) Assert.Equal(stored, view);
        output.WriteLine($"SIG{signal} under load: exit {code} after {took.TotalMilliseconds:F0} ms; sent {sent}, stored {stored.Count}, delivered {stored.Count} to each of {Clients} clients");
    }

    [Fact]
    public async Task A_stopping_server_refuses_new_connections_before_it_says_1001_to_open_ones()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        await client.SendChatAsync("last words");
        Assert.Equal("last words", ChatFrame.From(await client.ReceiveAsync()).Comment);

        var stopping = server.StopAsync();
        var refused = await Assert.ThrowsAsync<SocketException>(() => RawClient.ConnectAsync(server.EndPoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        await Assert.ThrowsAsync<WebSocketException>(() => client.ReceiveAsync());
        Assert.Equal((int)WebSocketCloseStatus.EndpointUnavailable, client.CloseCode);
        Assert.True(await stopping.WaitAsync(TimeSpan.FromSeconds(15)), "drained within the deadline");
    }
}
