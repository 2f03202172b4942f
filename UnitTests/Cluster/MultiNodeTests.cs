using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Chat.UnitTests.Cluster;

/// <summary>
/// Several server processes on one PostgreSQL (issue 9): every client, on any node, receives every message exactly
/// once and in the same id order; a killed node catches its reconnecting clients up; a lost LISTEN connection loses
/// nothing.
/// </summary>
[Collection("Postgres")]
public sealed partial class MultiNodeTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private async Task<(string Store, ServerProcess[] Nodes)> StartNodesAsync(int count)
    {
        var store = await fixture.Cluster.CreateDatabaseAsync("cluster");
        var nodes = new ServerProcess[count];
        for (var i = 0; i < count; i++)
        {
            nodes[i] = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["CHAT_POSTGRES"] = store,
                ["CHAT_NODE_NAME"] = $"node{i}",
            });
        }
        return (store, nodes);
    }

    /// <summary>A client on each of the first two nodes, both past one message: both nodes deliver and listen.</summary>
    private static async Task<(RawClient OnA, RawClient OnB)> ConnectWarmedPairAsync(ServerProcess[] nodes)
    {
        var onA = await RawClient.OpenWebSocketAsync(nodes[0].WebSocketUri());
        var onB = await RawClient.OpenWebSocketAsync(nodes[1].WebSocketUri());
        await onA.SendChatAsync("warm up");
        await onA.ReceiveAsync();
        await onB.ReceiveAsync();
        return (onA, onB);
    }

    [PostgresFact]
    public async Task Clients_on_three_nodes_receive_every_message_once_in_the_same_order()
    {
        var (_, nodes) = await StartNodesAsync(3);
        try
        {
            var clients = new List<RawClient>();
            foreach (var node in nodes)
            {
                for (var c = 0; c < 2; c++) clients.Add(await RawClient.OpenWebSocketAsync(node.WebSocketUri($"name=n{clients.Count}")));
            }
            const int perClient = 25;
            await Task.WhenAll(clients.Select(async (client, index) =>
            {
                for (var i = 0; i < perClient; i++) await client.SendChatAsync($"c{index}-{i}");
            }));

            var total = clients.Count * perClient;
            var views = await Task.WhenAll(clients.Select(c => c.ReceiveChatsAsync(total, TimeSpan.FromSeconds(20))));
            foreach (var view in views)
            {
                Assert.Equal(views[0], view);
                Assert.True(view.Zip(view.Skip(1)).All(p => p.First.Id < p.Second.Id), "ids strictly increase in every client's view");
            }
            Assert.Equal(total, views[0].Select(f => f.Comment).Distinct().Count());
            for (var c = 0; c < clients.Count; c++)
            {
                var own = views[0].Where(f => f.Comment.StartsWith($"c{c}-", StringComparison.Ordinal)).Select(f => f.Comment);
                Assert.Equal(Enumerable.Range(0, perClient).Select(i => $"c{c}-{i}"), own);
            }
            foreach (var client in clients) Assert.True(await client.IsQuietAsync(TimeSpan.FromMilliseconds(200)), "no duplicates");
            foreach (var client in clients) await client.DisposeAsync();
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task A_killed_node_restarted_catches_up_its_reconnecting_clients_with_since()
    {
        var (store, nodes) = await StartNodesAsync(2);
        try
        {
            await using var onA = await RawClient.OpenWebSocketAsync(nodes[0].WebSocketUri("name=a"));
            var onB = await RawClient.OpenWebSocketAsync(nodes[1].WebSocketUri("name=b"));
            await onA.SendChatAsync("before the crash");
            var seen = ChatFrame.From(await onB.ReceiveAsync());
            await onA.ReceiveAsync();

            await nodes[1].KillAsync();
            await onB.DisposeAsync();
            for (var i = 0; i < 5; i++) await onA.SendChatAsync($"while B was down {i}");
            await onA.ReceiveChatsAsync(5);

            nodes[1] = await ServerProcess.StartAsync(new Dictionary<string, string> { ["CHAT_POSTGRES"] = store, ["CHAT_NODE_NAME"] = "node1-again" });
            await using var back = await RawClient.OpenWebSocketAsync(nodes[1].WebSocketUri($"name=b&since={seen.Id}"));
            var missed = await back.ReceiveChatsAsync(5);
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"while B was down {i}"), missed.Select(f => f.Comment));
            await onA.SendChatAsync("after the restart");
            Assert.Equal("after the restart", ChatFrame.From(await back.ReceiveAsync()).Comment);
            Assert.True(await back.IsQuietAsync(TimeSpan.FromMilliseconds(300)), "nothing twice");
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task A_client_that_upgrades_while_its_node_waits_to_commit_gets_every_message_committed_after_its_101()
    {
        // Other nodes' messages reach the broadcast stage through the cluster feed, local ones behind persist, and the
        // join straight from the handshake. A test transaction holds the room's id counter lock, so that B's append and
        // then A's queue on it (PostgreSQL grants it in that order) while the new client upgrades. When the join rode
        // behind the persist stage and joined at whatever had been delivered by then, the client got neither message.
        var (store, nodes) = await StartNodesAsync(2);
        try
        {
            var (a, b) = await ConnectWarmedPairAsync(nodes);
            await using var onA = a;
            await using var onB = b;

            await using var admin = new NpgsqlConnection(store);
            await admin.OpenAsync();
            await using var hold = await admin.BeginTransactionAsync();
            await using (var lockCounter = new NpgsqlCommand("SELECT last_id FROM chat_rooms WHERE room = 'general' FOR UPDATE", admin, hold))
            {
                await lockCounter.ExecuteScalarAsync();
            }
            // Each append is waited for on the lock before the next is sent: PostgreSQL then grants it in that order.
            await onB.SendChatAsync("from B");
            await WaitForLockWaitersAsync(admin, hold, 1);
            await onA.SendChatAsync("from A");
            await WaitForLockWaitersAsync(admin, hold, 2);
            await using var late = await RawClient.OpenWebSocketAsync(nodes[0].WebSocketUri("name=late"));
            await Task.Delay(200);
            await hold.RollbackAsync();

            var seen = await late.ReceiveChatsAsync(2, TimeSpan.FromSeconds(15));
            Assert.Equal(["from B", "from A"], seen.Select(f => f.Comment));
            Assert.Equal(await onA.ReceiveChatsAsync(2), seen);
            Assert.True(await late.IsQuietAsync(TimeSpan.FromMilliseconds(200)), "no duplicates");
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    /// <summary>Waits until <paramref name="count"/> backends wait for a lock (the first on the holder, the next behind it).</summary>
    private static async Task WaitForLockWaitersAsync(NpgsqlConnection admin, NpgsqlTransaction hold, int count)
    {
        await using var waiters = new NpgsqlCommand("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted", admin, hold);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((long)(await waiters.ExecuteScalarAsync())! < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} appends never queued on the room's counter lock");
            await Task.Delay(20);
        }
    }

    [PostgresFact]
    public async Task A_node_that_loses_its_listen_connection_reconnects_and_misses_nothing()
    {
        var (store, nodes) = await StartNodesAsync(2);
        try
        {
            var (a, b) = await ConnectWarmedPairAsync(nodes);
            await using var onA = a;
            await using var onB = b;

            await using (var admin = new NpgsqlConnection(store))
            {
                await admin.OpenAsync();
                await using var kill = new NpgsqlCommand(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '" + Chat.Storage.PostgresCommitFeed.ApplicationName + "'", admin);
                Assert.Equal(2L, await kill.ExecuteScalarAsync());
            }
            for (var i = 0; i < 10; i++) await onA.SendChatAsync($"during the reconnect {i}");

            var atB = await onB.ReceiveChatsAsync(10, TimeSpan.FromSeconds(15));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"during the reconnect {i}"), atB.Select(f => f.Comment));
            Assert.Equal(await onA.ReceiveChatsAsync(10), atB);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
