using System.Diagnostics;
using System.Text.RegularExpressions;
using Chat.UnitTests.Conformance;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Faults;
using Chat.UnitTests.Infrastructure;
using Xunit.Abstractions;

namespace Chat.UnitTests.Cluster;

/// <summary>
/// Presence across nodes while PostgreSQL is down: each node goes on showing its own connections (the broadcast stage
/// never waits on the store), the failures are logged, and once the database is back the nodes see each other's
/// changes from the outage.
/// </summary>
public sealed partial class PresenceOutageTests(OwnPostgresCluster postgres, ITestOutputHelper output) : IClassFixture<OwnPostgresCluster>
{
    [PostgresFact]
    public async Task Presence_keeps_working_on_each_node_through_an_outage_is_logged_and_catches_up_after_it()
    {
        var store = await postgres.Cluster.CreateDatabaseAsync("presence_outage");
        await using var a = await ServerProcess.StartAsync(new Dictionary<string, string> { ["CHAT_POSTGRES"] = store, ["CHAT_NODE_NAME"] = "a" });
        await using var b = await ServerProcess.StartAsync(new Dictionary<string, string> { ["CHAT_POSTGRES"] = store, ["CHAT_NODE_NAME"] = "b" });
        const string room = "outage";
        await using var client = await RawClient.OpenWebSocketAsync(a.EndPoint, $"room={room}&name=watch&presence=1");
        var watcher = new PresenceWatcher(client);
        await using var before = await RawClient.OpenWebSocketAsync(b.EndPoint, $"room={room}&name=before");
        await watcher.UntilAsync(["before", "watch"]);

        await postgres.Cluster.StopAsync();
        RawClient? during = null;
        try
        {
            during = await RawClient.OpenWebSocketAsync(a.EndPoint, $"room={room}&name=during");
            await watcher.UntilAsync(["before", "during", "watch"]);
            var clock = Stopwatch.StartNew();
            while (PresenceWarnings(a) == 0)
            {
                Assert.True(clock.Elapsed < NodePresence.Deadline, "no presence warning while the database was down");
                await Task.Delay(100);
            }
            output.WriteLine($"first presence warning on node a {clock.Elapsed.TotalSeconds:F1} s after 'during' was seen");
        }
        finally
        {
            await postgres.Cluster.RestartAsync();
        }
        await NodePresence.WaitAsync(b, room, ["before", "during", "watch"], 3);
        await during!.DisposeAsync();
        await NodePresence.WaitAsync(b, room, ["before", "watch"], 2);
    }

    private static int PresenceWarnings(ServerProcess node) => PresenceWarning().Matches(node.Output).Count;

    [GeneratedRegex("presence (to|from) the store failed")]
    private static partial Regex PresenceWarning();
}
