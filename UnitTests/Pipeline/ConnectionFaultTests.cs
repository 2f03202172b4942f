using System.Net;
using System.Net.WebSockets;
using System.Text;
using Chat.Pipeline;
using Chat.Reactor;
using Chat.Storage;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Faults;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Pipeline;

/// <summary>
/// One connection's failure is that connection's (issue 14): when handling one connection's item throws, that
/// connection is closed (500 before its upgrade, 1011 after), chat_connection_errors_total counts it by stage, and
/// the stage goes on serving every other client. Without that the stage's worker died and the server with it.
/// </summary>
public sealed class ConnectionFaultTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_request_whose_answer_throws_in_the_handshake_stage_gets_500_and_the_stage_keeps_serving()
    {
        await using var server = await InProcessPipelineServer.StartAsync(new CountingMessageStore(), new PipelineOptions(), ReactorBackend.Epoll);
        await using var before = await RawClient.OpenWebSocketAsync(WebSocketUri(server));
        // /metrics is rendered on the handshake stage's worker: its connection count throws once, as a bug would.
        var throwOnce = 1;
        server.Pipeline.ReportConnectionsFrom(() => Interlocked.Exchange(ref throwOnce, 0) == 1
            ? throw new InvalidOperationException("injected: the connection count failed")
            : server.ConnectionCount);

        await using (var failing = await RawClient.ConnectAsync(server.EndPoint))
        {
            await failing.SendAsync("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.Equal(500, RawClient.StatusOf(await failing.ReadHeadAsync(Within)));
            Assert.True(await failing.IsClosedByServerAsync(Within), "the failed connection is closed after its 500");
        }

        // The stage went on: the client from before still chats, a new one joins, and /metrics answers and counts.
        await using var after = await RawClient.OpenWebSocketAsync(WebSocketUri(server));
        await before.SendChatAsync("still here");
        Assert.Equal("still here", (await before.ReceiveChatsAsync(1, Within))[0].Comment);
        Assert.Equal("still here", (await after.ReceiveChatsAsync(1, Within))[0].Comment);
        var metrics = await MetricsAsync(server);
        Assert.Contains("chat_connection_errors_total{stage=\"handshake\"} 1\n", metrics);
        Assert.Contains("chat_connection_errors_total{stage=\"broadcast\"} 0\n", metrics);
    }

    [Fact]
    public async Task Every_failed_connection_is_counted_and_the_log_keeps_to_its_budget()
    {
        const int Failures = 40;
        const int ConnectionFailedEvent = 207;
        var logs = new CountingLoggerProvider();
        await using var server = await InProcessPipelineServer.StartAsync(new CountingMessageStore(), new PipelineOptions(), ReactorBackend.Epoll, logs);
        var failing = 1;
        server.Pipeline.ReportConnectionsFrom(() => Volatile.Read(ref failing) == 1
            ? throw new InvalidOperationException("injected: the connection count failed")
            : server.ConnectionCount);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < Failures; i++)
        {
            await using var connection = await RawClient.ConnectAsync(server.EndPoint);
            await connection.SendAsync("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.Equal(500, RawClient.StatusOf(await connection.ReadHeadAsync(Within)));
        }
        var took = clock.Elapsed;
        Volatile.Write(ref failing, 0);

        Assert.Contains($"chat_connection_errors_total{{stage=\"handshake\"}} {Failures}\n", await MetricsAsync(server));
        // The limiter's default budget: 5 lines per 10 s window, for every window the loop may have touched.
        var budget = 5 * ((int)(took.TotalSeconds / 10) + 2);
        var logged = logs.CountOf(ConnectionFailedEvent);
        Assert.True(logged >= 1 && logged <= budget, $"{logged} lines logged for {Failures} failures in {took.TotalSeconds:F1} s (budget {budget})");
    }

    [Fact]
    public async Task A_replay_that_throws_closes_that_client_with_1011_and_the_others_are_served()
    {
        var inner = new InMemoryMessageStore(new StoreOptions(), NullLogger<InMemoryMessageStore>.Instance);
        var store = new CorruptRowStore(inner);
        await store.InitializeAsync(CancellationToken.None);
        // Stored before the server starts, so its replay window is empty and since=0 is served from the store.
        await inner.AppendAsync(Guid.NewGuid(), RoomName.General, new[] { Message("one"), Message("two") }, CancellationToken.None);
        await using var server = await InProcessPipelineServer.StartAsync(store, new PipelineOptions(), ReactorBackend.Epoll);
        await using var live = await RawClient.OpenWebSocketAsync(WebSocketUri(server));

        store.CorruptNextRead();
        await using var failing = await RawClient.OpenWebSocketAsync(WebSocketUri(server, "since=0"));
        var closed = await Assert.ThrowsAsync<WebSocketException>(() => failing.ReceiveAsync(Within));
        Assert.Equal((int)WebSocketCloseStatus.InternalServerError, failing.CloseCode);

        await using var replayed = await RawClient.OpenWebSocketAsync(WebSocketUri(server, "since=0"));
        Assert.Equal(["one", "two"], (await replayed.ReceiveChatsAsync(2, Within)).Select(f => f.Comment));
        await live.SendChatAsync("three");
        Assert.Equal("three", (await live.ReceiveChatsAsync(1, Within))[0].Comment);
        Assert.Equal("three", (await replayed.ReceiveChatsAsync(1, Within))[0].Comment);
        Assert.Contains("chat_connection_errors_total{stage=\"replay\"} 1\n", await MetricsAsync(server));
        Assert.Contains("InternalServerError", closed.Message);
    }

    private static NewMessage Message(string comment) => new("someone"u8.ToArray(), Encoding.UTF8.GetBytes(comment), DateTime.UtcNow);

    private static Uri WebSocketUri(InProcessPipelineServer server, string query = "") =>
        new($"ws://{server.EndPoint}/websocket{(query.Length > 0 ? "?" + query : "")}");

    private static async Task<string> MetricsAsync(InProcessPipelineServer server)
    {
        using var http = new HttpClient { Timeout = Within };
        return await http.GetStringAsync($"http://{server.EndPoint}/metrics");
    }
}
