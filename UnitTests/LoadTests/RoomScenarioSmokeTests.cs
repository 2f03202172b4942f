using Chat.LoadTests.Runner;
using Chat.LoadTests.Scenarios;
using Chat.UnitTests.Infrastructure;

namespace Chat.UnitTests.LoadTests;

/// <summary>The --rooms option: fanout spread over rooms, and room-ingest on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RoomScenarioSmokeTests(PostgresFixture fixture)
{
    [Fact]
    public void Rooms_is_read_and_bounded()
    {
        var options = Assert.IsType<Command.Run>(CommandLine.Parse(["run", "room-ingest", "--rooms", "8"])).Options;
        Assert.Equal(("room-ingest", 8), (options.Scenario, options.Rooms));
        Assert.Throws<UsageException>(() => CommandLine.Parse(["run", "fanout", "--rooms", "0"]));
    }

    [Fact]
    public void Offered_deliveries_count_the_clients_of_each_senders_room()
    {
        var shape = new FanoutShape(Clients: 10, Senders: 3, Rate: 300, CommentLength: 64, TimeSpan.FromSeconds(1), TimeSpan.Zero);

        // Rooms 0, 1 and 2 of 4 hold clients {0, 4, 8}, {1, 5, 9} and {2, 6}: each sender's 100 msg/s reach 3, 3 and 2.
        Assert.Equal(800, shape.OfferedDeliveries(rooms: 4));
        Assert.Equal(3000, shape.OfferedDeliveries());
        Assert.Equal(0, (shape with { Senders = 0 }).OfferedDeliveries(rooms: 4));
    }

    [Fact]
    public async Task Fanout_over_rooms_delivers_each_message_to_its_room_only_without_loss()
    {
        var report = await ScenarioSmokeTests.RunAsync(new RunOptions
        {
            Scenario = "fanout", Clients = 12, Senders = 4, Rate = 80, Rooms = 4, Duration = TimeSpan.FromSeconds(2), Warmup = TimeSpan.Zero,
        });

        // 4 senders, one per room, each room 3 clients: every message reaches 3 clients, not 12.
        Assert.Equal(ScenarioSmokeTests.Figure(report, "messages sent") * 3, ScenarioSmokeTests.Figure(report, "messages delivered"));
        Assert.Equal(80 * 3, ScenarioSmokeTests.Figure(report, "offered deliveries/s"));
        Assert.All(report.Checks, check => Assert.True(check.Passed, $"{check.Name}: {check.Detail}"));
    }

    [PostgresFact]
    public async Task Room_ingest_commits_in_one_room_and_in_several()
    {
        var database = await fixture.Cluster.CreateDatabaseAsync("roomingest");
        var report = await ScenarioSmokeTests.RunAsync(new RunOptions
        {
            Scenario = "room-ingest", Rooms = 3, Window = 16, Duration = TimeSpan.FromSeconds(1), Warmup = TimeSpan.Zero,
            Postgres = database, Store = StoreKind.Postgres,
        });

        Assert.True(ScenarioSmokeTests.Figure(report, "1 room rows/s") > 0);
        Assert.True(ScenarioSmokeTests.Figure(report, "3 rooms rows/s") > 0);
        Assert.All(report.Checks, check => Assert.True(check.Passed, $"{check.Name}: {check.Detail}"));
    }
}
