using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// kill -9 under chat load, then a restart on the same store: what any client saw was durable, and reconnecting with
/// since= delivers each message a client missed exactly once (PROTOCOL.md, "any message a client has seen survives a
/// crash of the server right after").
/// </summary>
[Collection("Postgres")]
public sealed class CrashTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private const int Clients = 4;
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(10);

    [PostgresFact]
    public async Task Kill_9_under_load_on_postgres_loses_no_message_a_client_saw_and_since_replays_the_rest_once()
    {
        var store = await fixture.Cluster.CreateDatabaseAsync("crash");
        var stored = await CrashAndRecoverAsync(new Dictionary<string, string> { ["CHAT_POSTGRES"] = store });

        await using var connection = new NpgsqlConnection(store);
        await connection.OpenAsync();
        // Up to the last message before the restart: the one sent after it is a row too.
        await using var count = new NpgsqlCommand("SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0) FROM chat_messages WHERE id <= @last", connection);
        count.Parameters.AddWithValue("last", stored[^1].Id);
        await using var row = await count.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal(stored.Count, row.GetInt64(0));
        Assert.Equal(stored[0].Id, row.GetInt64(1));
        Assert.Equal(stored[^1].Id, row.GetInt64(2));
    }

    [Fact]
    public async Task Kill_9_under_load_on_the_embedded_store_loses_no_message_a_client_saw_and_since_replays_the_rest_once()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("chat-crash-").FullName;
        await CrashAndRecoverAsync(new Dictionary<string, string> { ["CHAT_DATA_DIR"] = dataDirectory });
    }

    /// <summary>Returns the stored messages after the restart, before the post-restart message.</summary>
    private async Task<List<ChatFrame>> CrashAndRecoverAsync(Dictionary<string, string> settings)
    {
        var views = new List<IReadOnlyList<ChatFrame>>();
        int sent;
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            await using var load = await ChatLoad.StartAsync(server.WebSocketUri(), Clients, Pace);
            Assert.True(await load.WaitForReceivedAsync(100, TimeSpan.FromSeconds(60)), "the load is flowing before the crash");
            // One client drops out well before the crash, so that it has messages to catch up on after the restart.
            load.Drop(Clients - 1);
            var dropped = load.ReceivedBy(Clients - 1).Count;
            Assert.True(await ChatLoad.EventuallyAsync(() => load.ReceivedBy(0).Count >= dropped + 100, TimeSpan.FromSeconds(60)), "the others chat on");
            await server.KillAsync();
            await load.StopSendingAsync();
            Assert.True(await ChatLoad.EventuallyAsync(() => Enumerable.Range(0, Clients).All(c => !load.IsOpen(c)),
                TimeSpan.FromSeconds(15)), "every client sees its connection die");
            sent = load.Sent;
            for (var c = 0; c < Clients; c++) views.Add(load.ReceivedBy(c));
        }

        await using var restarted = await ServerProcess.StartAsync(settings);
        var stored = await ServerProbe.HistoryAsync(restarted.HttpUri);
        Assert.NotEmpty(stored);
        Assert.True(stored.Zip(stored.Skip(1)).All(p => p.First.Id < p.Second.Id), "the history is in id order");

        var reconnected = new List<RawClient>();
        try
        {
            var replayed = 0;
            for (var c = 0; c < Clients; c++)
            {
                var seen = views[c];
                // Every client was connected before the first message, so what it saw is a prefix of the history.
                Assert.Equal(stored.Take(seen.Count), seen);
                var since = seen.Count > 0 ? seen[^1].Id : 0;
                var client = await RawClient.OpenWebSocketAsync(restarted.WebSocketUri($"since={since}"));
                reconnected.Add(client);
                var missed = await client.ReceiveChatsAsync(stored.Count - seen.Count, TimeSpan.FromSeconds(20));
                Assert.Equal(stored.Skip(seen.Count), missed);
                replayed += missed.Count;
            }
            await reconnected[0].SendChatAsync("after the crash");
            foreach (var client in reconnected)
            {
                var live = ChatFrame.From(await client.ReceiveAsync(TimeSpan.FromSeconds(20)));
                Assert.Equal("after the crash", live.Comment);
                Assert.True(live.Id > stored[^1].Id);
            }
            foreach (var client in reconnected) Assert.True(await client.IsQuietAsync(TimeSpan.FromMilliseconds(300)), "nothing is delivered twice");

            output.WriteLine($"crash ({(settings.ContainsKey("CHAT_POSTGRES") ? "postgres" : "embedded")}): {Clients} clients, sent {sent}, stored {stored.Count}, "
                + $"delivered before the kill {string.Join("/", views.Select(v => v.Count))}, replayed after the restart {replayed}");
            return stored;
        }
        finally
        {
            foreach (var client in reconnected) await client.DisposeAsync();
        }
    }
}
