using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Chat.UnitTests.Storage;

/// <summary>
/// The presence rows of <see cref="PostgresPresenceStore"/>: one per node and room, read by the other nodes while their
/// lease runs, swept by any node after it, replaced whole on renewal, removed on a clean stop, and announced on the
/// commit feed by node id.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPresenceStoreTests(PostgresFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly List<IAsyncDisposable> _owned = [];
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        if (PostgresRequirement.SkipReason is not null) return;
        _connectionString = await fixture.Cluster.CreateDatabaseAsync("presence");
        // The table comes with the store's migrations.
        await using var store = new PostgresMessageStore(_connectionString, new StoreOptions(), NullLogger<PostgresMessageStore>.Instance);
        await store.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
    }

    [PostgresFact]
    public async Task Another_node_reads_the_rows_of_every_other_node_but_not_its_own()
    {
        var a = Node("a");
        var b = Node("b");
        await a.PublishAsync([new PresenceRow("red", ["al &amp; co", "zed"], 3), new PresenceRow("blue", ["al &amp; co"], 1)], replaceAll: false, Long, CancellationToken.None);
        await b.PublishAsync([new PresenceRow("red", ["bea"], 1)], replaceAll: false, Long, CancellationToken.None);

        var atB = await b.ReadOthersAsync(CancellationToken.None);
        var atA = await a.ReadOthersAsync(CancellationToken.None);

        Assert.Equal([("blue", "al &amp; co", 1), ("red", "al &amp; co,zed", 3)], Flat(atB));
        Assert.Equal([("red", "bea", 1)], Flat(atA));
    }

    [PostgresFact]
    public async Task A_row_whose_lease_ran_out_is_not_read_and_is_swept_by_any_node()
    {
        var dying = Node("dying");
        var alive = Node("alive");
        await dying.PublishAsync([new PresenceRow("red", ["gone"], 1)], replaceAll: false, TimeSpan.FromSeconds(1), CancellationToken.None);
        await alive.PublishAsync([new PresenceRow("red", ["here"], 1)], replaceAll: false, Long, CancellationToken.None);
        Assert.Equal([("red", "gone", 1)], Flat(await alive.ReadOthersAsync(CancellationToken.None)));

        var until = DateTime.UtcNow + Deadline;
        while (Flat(await alive.ReadOthersAsync(CancellationToken.None)).Length > 0)
        {
            Assert.True(DateTime.UtcNow < until, "the expired row was still read");
            await Task.Delay(100);
        }
        Assert.Equal(["alive"], await NodesAsync());
    }

    [PostgresFact]
    public async Task A_node_that_starts_loads_the_rows_already_there()
    {
        var early = Node("early");
        await early.PublishAsync([new PresenceRow("general", ["first"], 2)], replaceAll: false, Long, CancellationToken.None);

        var late = Node("late");

        Assert.Equal([("general", "first", 2)], Flat(await late.ReadOthersAsync(CancellationToken.None)));
    }

    [PostgresFact]
    public async Task An_empty_room_is_deleted_a_renewal_replaces_the_whole_set_and_a_clean_stop_removes_every_row()
    {
        var node = Node("node");
        var reader = Node("reader");
        await node.PublishAsync([new PresenceRow("red", ["x"], 1), new PresenceRow("blue", ["y"], 1), new PresenceRow("green", ["z"], 1)], replaceAll: false, Long, CancellationToken.None);

        await node.PublishAsync([new PresenceRow("red", [], 0)], replaceAll: false, Long, CancellationToken.None);
        Assert.Equal([("blue", "y", 1), ("green", "z", 1)], Flat(await reader.ReadOthersAsync(CancellationToken.None)));

        await node.PublishAsync([new PresenceRow("green", ["z", "zz"], 2)], replaceAll: true, Long, CancellationToken.None);
        Assert.Equal([("green", "z,zz", 2)], Flat(await reader.ReadOthersAsync(CancellationToken.None)));

        await node.RemoveAsync(CancellationToken.None);
        Assert.Empty(await reader.ReadOthersAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task A_change_is_announced_on_the_commit_feed_to_the_other_nodes_with_the_node_id_only()
    {
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var own = new List<string>();
        await using var feed = new PostgresCommitFeed(_connectionString, new StoreOptions { InstanceId = "listener" }, NullLogger<PostgresCommitFeed>.Instance);
        using var stop = new CancellationTokenSource();
        var running = feed.RunAsync((_, _) => { }, (_, _) => { }, node =>
        {
            lock (own) own.Add(node);
            heard.TrySetResult(node);
        }, () => connected.TrySetResult(), stop.Token);
        await connected.Task.WaitAsync(Deadline);

        // The listener's own change first: the feed must not report it. A large set goes through the table, not the payload.
        await Node("listener").PublishAsync([new PresenceRow("red", ["me"], 1)], replaceAll: false, Long, CancellationToken.None);
        var many = Enumerable.Range(0, 2000).Select(i => $"user{i:D4}").ToArray();
        await Node("talker").PublishAsync([new PresenceRow("red", many, many.Length)], replaceAll: false, Long, CancellationToken.None);

        Assert.Equal("talker", await heard.Task.WaitAsync(Deadline));
        await stop.CancelAsync();
        await running.WaitAsync(Deadline);
        lock (own) Assert.Equal(["talker"], own);
        var read = await Node("third").ReadOthersAsync(CancellationToken.None);
        Assert.Equal(many, read.Single(r => r.Names.Count > 1).Names);
    }

    private PostgresPresenceStore Node(string id)
    {
        var store = new PostgresPresenceStore(_connectionString, new StoreOptions { InstanceId = id });
        _owned.Add(store);
        return store;
    }

    private static (string Room, string Names, int Connections)[] Flat(IReadOnlyList<PresenceRow> rows) =>
        [.. rows.Select(r => (r.Room, string.Join(',', r.Names), r.Connections)).OrderBy(r => r.Room, StringComparer.Ordinal)];

    private async Task<string[]> NodesAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT DISTINCT node FROM chat_presence ORDER BY node", connection);
        var nodes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) nodes.Add(reader.GetString(0));
        return [.. nodes];
    }
}
