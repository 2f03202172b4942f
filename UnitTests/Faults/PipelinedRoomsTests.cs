using Chat.UnitTests.EndToEnd;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// GET /rooms reads every room's last id from the store. It runs on the history readers as /chat-history does: a
/// pipelined flood of it waits its turn on those few threads instead of blocking the pool's (the embedded store reads
/// synchronously) and building its JSON on every core, so an honest pair chatting meanwhile keeps its latency.
/// </summary>
[Collection(HistoryFloodCollection.Name)]
public sealed class PipelinedRoomsTests(ITestOutputHelper output)
{
    private const int Rooms = 500;
    private const int Wave = 500;
    private const int Flooders = 4;
    private const int FloodWaves = 8;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_pipelined_rooms_flood_leaves_an_honest_pair_latency_alone()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_MAX_MESSAGES_PER_SECOND"] = "0" });
        await SeedRoomsAsync(server);
        await using var alice = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=alice"));
        await using var bob = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=bob"));
        var quiet = await PipelinedHttpTests.RoundTripsAsync(alice, bob, 100);

        // Flooders send waves of pipelined /rooms, each answer read and checked, while the pair measures: at least five
        // rounds, and on until the flood has done FloodWaves waves (at most 100 rounds).
        using var stop = new CancellationTokenSource();
        var waves = 0;
        var answered = 0;
        var refused = 0;
        var flood = Enumerable.Range(0, Flooders).Select(_ => Task.Run(async () =>
        {
            var wave = string.Concat(Enumerable.Repeat(PipelinedHttpTests.RawGet("/rooms"), Wave));
            while (!stop.IsCancellationRequested)
            {
                await using var client = await RawClient.ConnectAsync(server.EndPoint, receiveBuffer: 64 * 1024);
                var sending = client.SendAsync(wave, Generous);
                for (var i = 0; i < Wave && !stop.IsCancellationRequested; i++)
                {
                    var answer = await client.ReadAnswerAsync(Generous);
                    Assert.True(answer is not null, $"the server closed before answer {i}");
                    if (answer.Status == 503)
                    {
                        // The flooders together queue more than the readers' queue holds: the rest is refused at once.
                        Assert.Equal("1", answer.Header("Retry-After"));
                        Interlocked.Increment(ref refused);
                        continue;
                    }
                    Assert.True(answer.Status == 200, $"/rooms answered {answer.StatusLine}: {answer.BodyText}");
                    Assert.Equal(Rooms + 1, System.Text.Json.JsonDocument.Parse(answer.Body).RootElement.GetArrayLength());
                    Interlocked.Increment(ref answered);
                }
                if (stop.IsCancellationRequested) break;
                await sending;
                Interlocked.Increment(ref waves);
            }
        })).ToArray();
        var during = new List<double>();
        for (var round = 0; round < 100 && (round < 5 || Volatile.Read(ref waves) < FloodWaves); round++)
        {
            during.AddRange(await PipelinedHttpTests.RoundTripsAsync(alice, bob, 40));
        }
        await stop.CancelAsync();
        await Task.WhenAll(flood);

        var quietP99 = PipelinedHttpTests.Percentile(quiet, 0.99);
        var floodP99 = PipelinedHttpTests.Percentile(during, 0.99);
        output.WriteLine($"SQLite, {Rooms + 1} rooms; honest pair quiet p50 {PipelinedHttpTests.Percentile(quiet, 0.5):F1} ms p99 {quietP99:F1} ms; "
            + $"during {waves} waves of {Wave} pipelined /rooms from {Flooders} connections ({answered} answered, {refused} refused busy; {during.Count} round trips): p50 {PipelinedHttpTests.Percentile(during, 0.5):F1} ms p99 {floodP99:F1} ms");
        Assert.True(waves >= FloodWaves, $"the flood ran {waves} whole waves while the pair measured");
        Assert.True(answered >= Wave, $"only {answered} /rooms answered with 200");
        // As the history flood's bound: tens of ms on a quiet box, plus a shared 2-core box's scheduling noise.
        Assert.True(floodP99 < quietP99 + 250, $"p99 went from {quietP99:F1} ms to {floodP99:F1} ms during the flood");
    }

    /// <summary>One stored message in each of <see cref="Rooms"/> rooms besides general, so each /rooms reads them all.</summary>
    private static async Task SeedRoomsAsync(TestServer server)
    {
        for (var i = 0; i < Rooms; i++)
        {
            await using var seeder = await RawClient.OpenWebSocketAsync(server.WebSocketUri($"name=seeder&room=flood-{i}"));
            await seeder.SendChatAsync("seed");
            await seeder.ReceiveAsync(Generous);
        }
    }
}
