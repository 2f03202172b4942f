using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// PostgreSQL stopped under chat load (a cluster of this class's own): clients stay connected, /healthz says 503,
/// the server stops reading instead of buffering without bound, and once the database is back every accepted message
/// is stored once and delivered in id order.
/// </summary>
public sealed class DatabaseOutageTests(OwnPostgresCluster postgres, ITestOutputHelper output) : IClassFixture<OwnPostgresCluster>
{
    private const int Clients = 3;

    [PostgresFact]
    public async Task Postgres_down_under_load_keeps_clients_connected_answers_503_pauses_reads_and_then_stores_and_delivers_every_message_once()
    {
        var store = await postgres.Cluster.CreateDatabaseAsync("outage");
        await using var server = await TestServer.StartAsync(store, settings: new Dictionary<string, string> { ["CHAT_MAX_MESSAGES_PER_SECOND"] = "0" });
        await using var load = await ChatLoad.StartAsync(server.WebSocketUri("since=0"), Clients, TimeSpan.FromMilliseconds(10));
        Assert.True(await load.WaitForReceivedAsync(100, TimeSpan.FromSeconds(60)), "the load is flowing before the outage");

        var outage = Stopwatch.StartNew();
        var sentBefore = load.Sent;
        await postgres.Cluster.StopAsync();
        int sentDuring;
        double receivedAtFirstLook, receivedAtSecondLook;
        try
        {
            Assert.True(await EventuallyUnhealthyAsync(server.HttpUri, TimeSpan.FromSeconds(20)), "/healthz answers 503 while the database is down");
            // Long enough for every sender to pass its pending-message limit; from then on its reads stay paused.
            await Task.Delay(TimeSpan.FromSeconds(3));
            receivedAtFirstLook = await ServerProbe.MetricAsync(server.HttpUri, "chat_messages_received_total");
            var sentAtFirstLook = load.Sent;
            await Task.Delay(TimeSpan.FromSeconds(2));
            receivedAtSecondLook = await ServerProbe.MetricAsync(server.HttpUri, "chat_messages_received_total");
            Assert.True(load.Sent > sentAtFirstLook, "the clients keep sending during the outage");
            Assert.Equal(receivedAtFirstLook, receivedAtSecondLook);
            for (var c = 0; c < Clients; c++) Assert.True(load.IsOpen(c));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await ServerProbe.HealthAsync(server.HttpUri));
            sentDuring = load.Sent - sentBefore;
        }
        finally
        {
            await postgres.Cluster.RestartAsync();
        }
        var down = outage.Elapsed;

        Assert.True(await ChatLoad.EventuallyAsync(async () => await ServerProbe.HealthAsync(server.HttpUri) == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30)), "/healthz answers 200 again once the database is back");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await load.StopSendingAsync();
        var delivered = await load.AssertEveryoneReceivedEverythingAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(0, load.ErrorsReceived);

        await using var connection = new NpgsqlConnection(store);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT id FROM chat_messages ORDER BY id", connection);
        var rows = new List<long>();
        await using (var reader = await query.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) rows.Add(reader.GetInt64(0));
        }
        Assert.Equal(delivered.Select(f => f.Id), rows);
        Assert.Equal(load.Sent, rows.Count);
        output.WriteLine($"outage: database down {down.TotalSeconds:F1} s under {Clients} clients; sent {load.Sent} ({sentDuring} during the outage), "
            + $"server read {receivedAtSecondLook} by the end of the outage (paused), stored {rows.Count} rows, delivered {delivered.Count} to each client in id order");
    }

    [PostgresFact]
    public async Task Sigterm_while_postgres_is_down_exits_within_the_shutdown_deadline_with_code_1()
    {
        var store = await postgres.Cluster.CreateDatabaseAsync("outage_stop");
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["CHAT_POSTGRES"] = store,
            ["CHAT_SHUTDOWN_TIMEOUT_SECONDS"] = "3",
        });
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        await client.SendChatAsync("stored");
        await client.ReceiveAsync();

        await postgres.Cluster.StopAsync();
        try
        {
            await client.SendChatAsync("cannot be stored");
            Assert.True(await EventuallyUnhealthyAsync(server.HttpUri, TimeSpan.FromSeconds(20)), "the batch is failing");
            var clock = Stopwatch.StartNew();
            var code = await server.TerminateAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"stop with the database down: exit code {code} after {clock.Elapsed.TotalSeconds:F1} s (deadline 3 s)");
            Assert.Equal(1, code);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"exits soon after its 3 s deadline, took {clock.Elapsed}");
        }
        finally
        {
            await postgres.Cluster.RestartAsync();
        }
    }

    private static Task<bool> EventuallyUnhealthyAsync(Uri server, TimeSpan within) =>
        ChatLoad.EventuallyAsync(async () => await ServerProbe.HealthAsync(server) == HttpStatusCode.ServiceUnavailable, within);
}
