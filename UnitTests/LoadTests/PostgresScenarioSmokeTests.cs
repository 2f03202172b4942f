using Chat.LoadTests.Runner;
using Chat.UnitTests.Infrastructure;

namespace Chat.UnitTests.LoadTests;

/// <summary>The scenarios that need PostgreSQL, on the shared throwaway cluster: ingest and cross-node.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresScenarioSmokeTests(PostgresFixture fixture)
{
    [PostgresFact]
    public async Task Ingest_stores_every_acknowledged_message_and_measures_copy_the_store_alone_and_insert_alongside()
    {
        var database = await fixture.Cluster.CreateDatabaseAsync("ingest");
        var report = await ScenarioSmokeTests.RunAsync(new RunOptions
        {
            Scenario = "ingest", Senders = 2, Duration = TimeSpan.FromSeconds(2), Warmup = TimeSpan.FromSeconds(0.5), Postgres = database, Store = StoreKind.Postgres,
        });

        Assert.True(ScenarioSmokeTests.Figure(report, "rows stored") > 0);
        Assert.True(ScenarioSmokeTests.Figure(report, "raw binary COPY (ceiling)") > 0);
        Assert.True(ScenarioSmokeTests.Figure(report, "autocommit INSERT per message") > 0);
        Assert.True(ScenarioSmokeTests.Figure(report, "server's store alone (same batches)") > 0);
        Assert.True(ScenarioSmokeTests.Figure(report, "batch size mean") >= 1);
        Assert.True(ScenarioSmokeTests.Figure(report, "server CPU per stored row") > 0);
        Assert.Contains(report.Parameters, p => p is { Key: "raw COPY rows per transaction" });
    }

    [PostgresFact]
    public async Task Cross_node_delivers_across_two_nodes_and_reports_against_one_node()
    {
        var database = await fixture.Cluster.CreateDatabaseAsync("crossnode");
        var report = await ScenarioSmokeTests.RunAsync(new RunOptions
        {
            // Enough receivers that a node's broadcast lags and holds local batches while the other node commits on:
            // the case where BroadcastStage used to drop the later messages of a cluster-feed page.
            Scenario = "cross-node", Clients = 20, Senders = 4, Rate = 100, Duration = TimeSpan.FromSeconds(3), Ramp = TimeSpan.FromSeconds(0.5),
            Postgres = database, Store = StoreKind.Postgres,
        });

        Assert.True(ScenarioSmokeTests.Figure(report, "cross-node p50") > 0);
        Assert.True(ScenarioSmokeTests.Figure(report, "single-node p50") > 0);
        Assert.True(ScenarioSmokeTests.Figure(report, "two nodes: messages delivered") > 0);
    }
}
