using System.Diagnostics;
using System.Net;
using Chat.Pipeline;
using Chat.Pipeline.Http;
using Chat.Reactor;
using Chat.Storage;
using Chat.UnitTests.EndToEnd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Issue 18 item 1: a pipelined request waits on its own connection only. One connection pipelines history requests
/// and an upgrade against a store whose reads block for 2 s each, while another pair chats: the pair never waits.
/// </summary>
[Collection(HistoryFloodCollection.Name)]
public sealed class PipelinedUpgradeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ReactorBackend.Epoll)]
    [InlineData(ReactorBackend.Sockets)]
    public async Task History_and_an_upgrade_pipelined_on_a_slow_store_never_hold_up_another_pair(ReactorBackend backend)
    {
        var store = new SlowReadStore(new InMemoryMessageStore(new StoreOptions(), NullLogger<InMemoryMessageStore>.Instance));
        var pipeline = new ChatPipeline(new PipelineOptions { MessagesPerSecond = 0 }, store, StaticFiles.Load("."), NullLoggerFactory.Instance);
        var transport = TransportFactory.Bind(new IPEndPoint(IPAddress.Loopback, 0), new ReactorOptions { Backend = backend }, pipeline.Input, NullLoggerFactory.Instance);
        await store.InitializeAsync(CancellationToken.None);
        await pipeline.StartAsync(CancellationToken.None);
        transport.Start();
        try
        {
            var endPoint = transport.LocalEndPoint;
            await using var alice = await RawClient.OpenWebSocketAsync(new Uri($"ws://{endPoint}/websocket?name=alice"));
            await using var bob = await RawClient.OpenWebSocketAsync(new Uri($"ws://{endPoint}/websocket?name=bob"));
            store.Slow = true;
            await using var piped = await RawClient.ConnectAsync(endPoint, receiveBuffer: 64 * 1024);
            const string upgrade = "GET /websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await piped.SendAsync(string.Concat(Enumerable.Repeat("GET /chat-history?limit=10 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 3)) + upgrade, TimeSpan.FromSeconds(10));
            var answers = Task.Run(async () =>
            {
                var statuses = new List<int>();
                for (var i = 0; i < 3; i++) statuses.Add((await piped.ReadAnswerAsync(TimeSpan.FromSeconds(60)))!.Status);
                statuses.Add((await piped.ReadAnswerAsync(TimeSpan.FromSeconds(60), headOnly: true))!.Status);
                return statuses;
            });

            // While the three reads take at least 6 s on the piped connection, the pair chats.
            var slowest = 0.0;
            var rounds = 0;
            var clock = Stopwatch.StartNew();
            while (!answers.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                var roundTrip = Stopwatch.StartNew();
                await alice.SendChatAsync($"still here {rounds}");
                await bob.ReceiveAsync(TimeSpan.FromSeconds(30));
                await alice.ReceiveAsync(TimeSpan.FromSeconds(30));
                slowest = Math.Max(slowest, roundTrip.Elapsed.TotalMilliseconds);
                rounds++;
            }
            Assert.Equal([200, 200, 200, 101], await answers);
            output.WriteLine($"{backend}: 3 pipelined history reads of 2 s each and an upgrade took {clock.ElapsedMilliseconds} ms on their connection; meanwhile the pair chatted {rounds} rounds, slowest {slowest:F0} ms");
            Assert.True(clock.Elapsed >= 3 * SlowReadStore.ReadDelay - TimeSpan.FromMilliseconds(100), "the reads were slow");
            Assert.True(rounds >= 10, $"the pair chatted only {rounds} rounds");
            // Under a 2 s read on the handshake worker the pair would wait at least 2 s; tens of ms on a quiet box, and a
            // shared 2-core box under load (load average 12-26 measured) adds up to ~0.9 s of descheduling.
            Assert.True(slowest < 1500, $"a round trip of the pair took {slowest:F0} ms while the reads blocked");
        }
        finally
        {
            store.Slow = false;
            transport.StopAccepting();
            await pipeline.DrainAsync(TimeSpan.FromSeconds(10));
            await transport.DisposeAsync();
            await pipeline.StopAsync();
            await store.DisposeAsync();
        }
    }
}
